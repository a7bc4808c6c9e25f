"use strict";
// extract view: click a value to see its quote, hover a quote to see its fields, search.
// The page is built by extract/view/page.py; nothing here reads the network.
(() => {
  const text = document.getElementById("text");
  const panel = document.getElementById("panel");
  const tip = document.getElementById("tip");
  const search = document.getElementById("search");
  const count = document.getElementById("count");

  // ------------------------------------------------------------ values and their quotes
  const cellsByMark = new Map();
  for (const cell of panel.querySelectorAll("[data-mark]")) {
    const list = cellsByMark.get(cell.dataset.mark) || [];
    list.push(cell);
    cellsByMark.set(cell.dataset.mark, list);
  }
  const marksOf = (id) => text.querySelectorAll('mark[data-f~="' + id + '"]');

  function centre(element) {
    element.scrollIntoView({ block: "center" });
    // Blocks drawn only now may have moved it: centre it again once they are laid out.
    requestAnimationFrame(() => requestAnimationFrame(() => {
      element.scrollIntoView({ block: "center" });
    }));
  }

  function flash(elements) {
    for (const el of elements) {
      el.classList.remove("flash");
      void el.offsetWidth; // restart the animation
      el.classList.add("flash");
    }
  }

  function select(cells) {
    for (const old of panel.querySelectorAll(".sel")) old.classList.remove("sel");
    for (const cell of cells) {
      cell.classList.add("sel");
      cell.closest("tr")?.classList.add("sel");
    }
  }

  function showField(path) {
    const cell = [...panel.querySelectorAll(".v[data-path]")].find((c) => c.dataset.path === path);
    if (!cell) return false;
    select([cell]);
    cell.scrollIntoView({ block: "nearest" });
    const marks = cell.dataset.mark ? marksOf(cell.dataset.mark) : [];
    if (!marks.length) return false;
    centre(marks[0]);
    flash(marks);
    return true;
  }

  panel.addEventListener("click", (event) => {
    const cell = event.target.closest("a[data-mark]");
    if (!cell) return;
    event.preventDefault();
    history.replaceState(null, "", "#f=" + encodeURIComponent(cell.dataset.path));
    showField(cell.dataset.path);
  });

  text.addEventListener("click", (event) => {
    const mark = event.target.closest("mark[data-f]");
    if (!mark) return;
    const cells = mark.dataset.f.split(" ").flatMap((id) => cellsByMark.get(id) || []);
    select(cells);
    if (cells.length) cells[0].scrollIntoView({ block: "nearest" });
  });

  // ------------------------------------------------------------ hover: name the fields
  function describe(mark) {
    const lines = [];
    for (const id of mark.dataset.f.split(" ")) {
      for (const cell of cellsByMark.get(id) || []) {
        const status = cell.classList.contains("conflict") ? " (conflict)"
          : cell.classList.contains("confirmed") ? " (confirmed)" : "";
        lines.push(cell.dataset.path + " = " + cell.textContent + status);
      }
    }
    return lines.join("\n") || "evidence";
  }

  text.addEventListener("mouseover", (event) => {
    const mark = event.target.closest("mark[data-f]");
    if (!mark) return;
    tip.textContent = describe(mark);
    const box = mark.getBoundingClientRect();
    tip.hidden = false;
    tip.style.left = Math.max(4, Math.min(box.left, innerWidth - tip.offsetWidth - 4)) + "px";
    const above = box.top - tip.offsetHeight - 6;
    tip.style.top = (above > 0 ? above : box.bottom + 6) + "px";
  });
  text.addEventListener("mouseout", (event) => {
    if (event.target.closest("mark[data-f]")) tip.hidden = true;
  });
  text.addEventListener("scroll", () => { tip.hidden = true; }, { passive: true });

  // ------------------------------------------------------------ search the text
  const MAX_HITS = 5000;
  let index = null; // per block: its text, its text nodes and where each starts
  let hits = [];
  let current = -1;

  function buildIndex() {
    index = [];
    for (const block of text.querySelectorAll(".b")) {
      const nodes = [];
      const starts = [];
      let joined = "";
      const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        nodes.push(node);
        starts.push(joined.length);
        joined += node.data;
      }
      index.push({ folded: fold(joined), nodes, starts });
    }
  }

  // Latin letters match either case; every other character keeps its place and length.
  const fold = (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

  function position(entry, offset) {
    let lo = 0;
    let hi = entry.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (entry.starts[mid] <= offset) lo = mid; else hi = mid - 1;
    }
    return [entry.nodes[lo], offset - entry.starts[lo]];
  }

  // The query as a pattern: its words in order, with any white space (or none) between
  // them, as a figure or a label may be broken across lines in the filing.
  function pattern(query) {
    const words = fold(query).trim().split(/\s+/);
    return new RegExp(words.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s*"), "g");
  }

  function find(query) {
    if (!index) buildIndex();
    const found = [];
    const re = pattern(query);
    for (const entry of index) {
      re.lastIndex = 0;
      for (let m = re.exec(entry.folded); m && found.length < MAX_HITS; m = re.exec(entry.folded)) {
        const range = document.createRange();
        range.setStart(...position(entry, m.index));
        range.setEnd(...position(entry, m.index + m[0].length - 1));
        range.setEnd(range.endContainer, range.endOffset + 1);
        found.push(range);
      }
    }
    return found;
  }

  const highlights = typeof CSS !== "undefined" && CSS.highlights;

  function paint() {
    if (!highlights) return;
    highlights.set("search", new Highlight(...hits));
    highlights.set("search-current", new Highlight(...(current >= 0 ? [hits[current]] : [])));
  }

  function reveal(range) {
    range.startContainer.parentElement.scrollIntoView({ block: "center" });
    const box = text.getBoundingClientRect();
    const rect = range.getBoundingClientRect();
    text.scrollTop += rect.top - box.top - box.height / 2;
  }

  function runSearch(query) {
    query = query.trim();
    hits = query ? find(query) : [];
    current = hits.length ? 0 : -1;
    paint();
    count.textContent = query ? (hits.length ? "1 / " + hits.length : "no match") : "";
    if (hits.length) reveal(hits[0]);
  }

  function step(by) {
    if (!hits.length) return;
    current = (current + by + hits.length) % hits.length;
    paint();
    count.textContent = current + 1 + " / " + hits.length;
    reveal(hits[current]);
  }

  let timer = 0;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => runSearch(search.value), 150);
  });
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter") {
      event.preventDefault();
      clearTimeout(timer);
      if (hits.length && search.value) step(event.shiftKey ? -1 : 1);
      else runSearch(search.value);
    } else if (event.key === "Escape") {
      search.value = "";
      runSearch("");
    }
  });
  document.getElementById("next").addEventListener("click", () => step(1));
  document.getElementById("prev").addEventListener("click", () => step(-1));
  document.addEventListener("keydown", (event) => {
    if (event.key === "/" && document.activeElement !== search) {
      event.preventDefault();
      search.focus();
    }
  });

  // ------------------------------------------------------------ #f=field&q=text
  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    const shown = params.get("f") ? showField(params.get("f")) : false;
    if (params.get("q") && !shown) {
      search.value = params.get("q");
      runSearch(search.value);
    }
  }
  addEventListener("hashchange", fromHash);
  // On opening, wait for the fonts: the text is laid out again when they arrive.
  if (location.hash) document.fonts.ready.then(() => requestAnimationFrame(fromHash));
})();
