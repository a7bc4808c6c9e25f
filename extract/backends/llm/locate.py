"""Find the passages of a filing that one LLM call needs; never send a whole filing.

A document is cut into units: each table the loader saw as a grid is one unit, shown to the
model as compact rows under its caption (``table_text``); the text around the tables is cut
into chunks of roughly 400–800 characters on line and sentence boundaries. Each section
scores the units with BM25 (Okapi, :class:`BM25`) over CJK-aware tokens (character bigrams of
CJK runs, ASCII words, numbers) against its query vocabulary in ``extract/vocab/locate.yaml``,
units holding a section heading get a boost, and the best whole units that fit the section's
character budget are returned in document order (a table larger than the budget keeps its
header rows and the rows the section is after). Every passage keeps its offsets into
``Document.text`` so that grounding can map values back.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence

from ...core.table import Table
from ...load.document import Document
from ...tables.kinds import classify_tables, texts_under_other_heading, under_other_heading
from ...tables.roles import cell_text, header_rows, header_years, row_has_figures
from .changes import change_tokens, prints_changes, states_a_change
from .flat_passages import flat_heading_lines, flat_table_passages
from .labels import field_tokens, fields_in_table, label_tokens, names
from .passage import Passage
from .query import SectionQuery, config, focus_tokens, query_tokens, section_query
from .search import BM25, chunk_tokens, tokenize
from .table_text import caption_start, header_text, table_text
from .units import line_around, note_after, units_of

# A code or a year near a key term
_DIGITS = re.compile(r"\d{3,}")


# --- selection ---------------------------------------------------------------------------


class Locator:
    """Chunks and a BM25 index of one document, built once and queried per section (from
    several threads at once: nothing is built lazily but the postings cache)."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.chunks, self._tables = units_of(document)
        self._texts = [
            table_text(document, table) if table is not None else document.text[a:b]
            for (a, b), table in zip(self.chunks, self._tables, strict=True)
        ]
        indexed = [chunk_tokens(text) for text in self._texts]
        self._figures = [figures for _, figures in indexed]
        self._has_tokens = any(tokens for tokens, _ in indexed)
        # a chunk without tokens counts as one empty token (keeps every length non-zero)
        self._bm25 = BM25([tokens or [""] for tokens, _ in indexed])
        self._starts = [a for a, _ in self.chunks]
        kind_of = dict(zip(map(id, document.tables), classify_tables(document), strict=True))
        self._kinds = [kind_of.get(id(table)) if table else None for table in self._tables]
        # units inside the parent company's statements (the group's labels, other figures)
        in_text = texts_under_other_heading(document.text, self._starts)
        self._other = [
            under_other_heading(document, table) if table is not None else text
            for table, text in zip(self._tables, in_text, strict=True)
        ]

    def passages(
        self,
        section: str,
        budget_chars: int,
        focus: Sequence[str] = (),
        changes: Sequence[str] = (),
    ) -> list[Passage]:
        """The passages for ``section``, at most ``budget_chars`` characters in all.

        ``focus`` names the fields still wanted (auto mode: what the rules left null); where
        locate.yaml has their labels, only those labels are searched for. ``changes`` names
        those of them of which only the change is wanted: a table printing no change column
        is not taken for them, and the units stating their change (``changes``) are searched
        for first, within ``change_share`` of what the tables leave.
        A document that fits the budget is one passage; a section none of whose terms occur
        gets no passage (the caller need not ask about it).
        """
        text = self.document.text
        if budget_chars <= 0 or not text:
            return []
        if len(text) <= budget_chars and not any(self._tables):
            return [Passage(0, len(text), text)]
        query = section_query(section)
        focused = focus_tokens(section, focus)
        shown = self._shown_texts(section, focus)
        sizes = [len(text) for text in shown]
        first = self._tables_first(section, focus, budget_chars, shown, changes)
        for i, header in self._headers_of(query.table_headers):
            shown[i], sizes[i] = header, len(header)
            first.append(i)
        notes = self._notes(first) if query.table_notes else []
        room = budget_chars * query.tables_share - sum(sizes[i] for i in first)
        flat = self._flat_tables(section, focus, first, room) + self._flat_headers(query)
        budget_chars -= sum(len(extra.text) for extra in notes + flat)
        left = budget_chars - sum(sizes[i] for i in first)
        lines: list[Passage] = []
        if query.strategy == "ends":
            ends = [i for i in self._ends(query, left, sizes) if i not in first]
            last = len(self.chunks) - 1  # longer than the close's share: its end alone
            close = [] if last in ends else [self._close(int(left * query.tail_share))]
            left -= sum(sizes[i] for i in ends) + sum(len(p.text) for p in close)
            scores = self.scores(section)
            found = self._key_lines(query, scores, left, first + ends)
            left -= sum(len(p.text) for p in found)
            lines = close + found
            budget_chars -= sum(len(p.text) for p in lines)
            scores = [0.0 if i in first + ends else s for i, s in enumerate(scores)]
            chosen = sorted(first + ends + self._best(scores, left, sizes))
        else:
            scores = self._score(focused, ()) if focused else self.scores(section)
            if changes:  # the units printing their changes first, within their share
                share = int(left * float(config()["change_share"]))
                stating = self._best(self._change_scores(section, changes), share, sizes, False)
                first, left = first + stating, left - sum(sizes[i] for i in stating)
            scores = [0.0 if i in first or self._other[i] else s for i, s in enumerate(scores)]
            chosen = sorted(first + self._best(scores, left, sizes, at_least_one=not first))
        wanted = focused or query_tokens(query)
        passages = self._merge(chosen, budget_chars, shown, wanted)
        # a flattened table's rows the text chosen shows anyway are not shown twice, and the
        # characters set aside for them go to the next best chunks
        kept = _not_within(flat, passages, text)
        if freed := sum(len(f.text) for f in flat) - sum(len(f.text) for f in kept):
            scores = [0.0 if i in chosen or self._other[i] else s for i, s in enumerate(scores)]
            chosen = sorted(chosen + self._best(scores, freed, sizes, at_least_one=False))
            budget_chars += freed
            passages = self._merge(chosen, budget_chars, shown, wanted)
        flat = _not_within(kept, passages, text)
        notes = [n for n in notes if not any(p.start < n.end and n.start < p.end for p in passages)]
        lines = _not_within(lines, passages, text)
        return sorted(passages + notes + flat + lines, key=lambda p: p.start)

    def _tables_first(
        self,
        section: str,
        focus: Sequence[str],
        budget: int,
        shown: Sequence[str],
        changes: Sequence[str] = (),
    ) -> list[int]:
        """The units the section takes before searching: the tables of its kinds (the key
        table, the statements…), each as shown (its header and the rows naming the section's
        fields), while they fit ``tables_share`` of the budget: the first table of each kind
        in the order of the kinds (a multi-year summary last), then the others (a
        statement's second part, a table a note's heading named). A table none of whose rows
        names a field asked for is not taken. Then the tables of no kind that name several
        fields. A table printing no change column is taken only for the fields not in
        ``changes``."""
        query = section_query(section)
        levels = [f for f in focus if f not in changes]
        every = _row_terms(section, focus)
        figures_only = _row_terms(section, levels) if levels else None

        def wanted_in(unit: int) -> Callable[[str], bool] | None:
            return every if not changes or self._prints_changes(unit) else figures_only

        named = [i for i, k in enumerate(self._kinds) if k and self._names_a_row(i, wanted_in(i))]
        of_kind = [  # a kind's multi-year summary after its others
            sorted((i for i in named if self._kinds[i] == kind), key=self._is_summary)
            for kind in query.table_kinds
        ]
        firsts = [units[0] for units in of_kind if units]
        rest = [i for units in of_kind for i in units[1:]]
        chosen: list[int] = []
        room = budget * query.tables_share
        untitled = self._untitled_tables(section, focus)
        if changes:
            untitled = [i for i in untitled if self._prints_changes(i)]
            untitled += self._untitled_tables(section, levels) if levels else []
        for i in dict.fromkeys(firsts + rest + untitled):
            if len(shown[i]) <= room:
                chosen.append(i)
                room -= len(shown[i])
        return chosen

    def _flat_tables(
        self, section: str, focus: Sequence[str], taken: Sequence[int], room: float
    ) -> list[Passage]:
        """The section's table kinds the loader saw no grid of, read from the text (see
        :func:`flat_table_passages`), for the fields asked that no table taken names."""
        kinds = [kind for kind in section_query(section).table_kinds if kind not in self._kinds]
        fields = field_tokens(section, focus)
        if not kinds or not fields:
            return []
        named = set().union(
            *(fields_in_table(t, fields) for i in taken if (t := self._tables[i]) is not None)
        )
        return flat_table_passages(self.document.text, kinds, set(fields) - named, room)

    def _flat_headers(self, query: SectionQuery) -> list[Passage]:
        """The heading's line of each of the ``table_headers`` kinds the loader saw no grid
        of, read from the text (合并资产负债表2024年6月30日编制单位:…)."""
        kinds = [kind for kind in query.table_headers if kind not in self._kinds]
        return flat_heading_lines(self.document.text, kinds)

    def _caption_at(self, table: Table) -> int:
        span = self.document.normalised_span(caption_start(table), table.start)
        return span[0] if span else len(self.document.text)

    def _is_summary(self, unit: int) -> bool:
        """A table of many years (an HKEX five-year financial summary): its kind's others,
        which print the period's changes, go first."""
        table = self._tables[unit]
        return table is not None and len(header_years(table)) >= int(config()["summary_years"])

    def _headers_of(self, kinds: Sequence[str]) -> list[tuple[int, str]]:
        """The first table of each of ``kinds`` with its caption and header rows alone, which
        a section takes (a statement's date line names the period's end)."""
        headers = []
        for kind in kinds:
            i = next((i for i, k in enumerate(self._kinds) if k == kind), None)
            table = self._tables[i] if i is not None else None
            if i is not None and table is not None:
                headers.append((i, header_text(self.document, table)))
        return headers

    def _notes(self, tables: Sequence[int]) -> list[Passage]:
        """The note printed right after each of ``tables``, where it prints figures (the
        plan's share base after a distribution table)."""
        text = self.document.text
        notes = []
        for i in tables:
            start, end = self.chunks[i][1], note_after(text, self.chunks[i][1])
            note = Passage(start, end, text[start:end])
            if len(note) and any(c.isdigit() for c in note.text):
                notes.append(note)
        return notes

    def _untitled_tables(self, section: str, focus: Sequence[str]) -> list[int]:
        """Tables of no kind whose rows name two fields or more, those naming most first: a
        key table's part printed apart from its heading (a bank's balances after its notes);
        never the parent company's statements."""
        fields = field_tokens(section, focus)
        named = {
            i: len(fields_in_table(table, fields))
            for i, table in enumerate(self._tables)
            if table is not None and self._kinds[i] is None and not self._other[i]
        }
        return sorted((i for i, n in named.items() if n >= 2), key=lambda i: -named[i])

    def _change_scores(self, section: str, changes: Sequence[str]) -> list[float]:
        """Each unit's score for the labels of ``changes`` and the words of a change; zero
        for a unit that states none of their changes (no sentence of it does, see
        ``changes.states_a_change``, and it is no table with a change column naming one)
        and for the parent company's."""
        rows = _row_terms(section, changes)
        scores = self._score(focus_tokens(section, changes) + change_tokens(), ())
        return [
            s
            if not self._other[i]
            and (
                states_a_change(self._texts[i], section, changes)
                or (self._prints_changes(i) and self._names_a_row(i, rows))
            )
            else 0.0
            for i, s in enumerate(scores)
        ]

    def _prints_changes(self, unit: int) -> bool:
        table = self._tables[unit]
        return table is not None and prints_changes(table)

    def _names_a_row(self, unit: int, wanted: Callable[[str], bool] | None) -> bool:
        """Does a row of the table with figures name a field asked for, or (a table of
        years by columns: 分红年度 | 现金分红金额 | …比率) a cell of its header?"""
        table = self._tables[unit]
        if table is None or wanted is None:
            return False
        if any(wanted(cell_text(cell.text)) for r in header_rows(table) for cell in table.rows[r]):
            return True
        return any(
            wanted(cell_text(table.rows[r][0].text)) and row_has_figures(table, r)
            for r in range(table.n_rows)
        )

    def scores(self, section: str) -> list[float]:
        """BM25 score of every chunk for ``section``, heading boost included."""
        query = section_query(section)
        return self._score(query_tokens(query), query.headings)

    def _score(self, terms: Sequence[str], headings: Sequence[str]) -> list[float]:
        if not terms or not self._has_tokens:
            return [0.0] * len(self.chunks)
        # Every section asks for figures: a chunk without numbers cannot ground one.
        weight = float(config()["figure_weight"])
        scores = [
            s * (1 - weight + weight * f)
            for s, f in zip(self._bm25.scores(terms), self._figures, strict=True)
        ]
        boost = float(config()["heading_boost"]) * max(scores, default=0.0)
        if boost > 0:
            for i in self._chunks_with(headings):
                scores[i] += boost
        return scores

    def _chunks_with(self, headings: Sequence[str]) -> set[int]:
        """Indices of the units that contain one of ``headings`` whole (a table: in its
        caption or its rows)."""
        found: set[int] = set()
        text = self.document.text
        for heading in headings:
            start = text.find(heading)
            while start >= 0:
                i = bisect_right(self._starts, start) - 1
                if i >= 0 and start + len(heading) <= self.chunks[i][1]:
                    found.add(i)
                start = text.find(heading, start + 1)
            found.update(i for i, t in enumerate(self._texts) if self._tables[i] and heading in t)
        return found

    def _best(
        self, scores: Sequence[float], budget: int, sizes: Sequence[int], at_least_one: bool = True
    ) -> list[int]:
        """The highest-scoring chunks that fit the budget (zero scores never); if none fits,
        the best one ``at_least_one`` asks for (its beginning)."""
        # best first; the sort is stable, so equal scores stay in document order
        ranked = sorted(range(len(self.chunks)), key=scores.__getitem__, reverse=True)
        chosen: list[int] = []
        used = 0
        for i in ranked:
            if scores[i] <= 0:
                break
            if used + sizes[i] <= budget:
                chosen.append(i)
                used += sizes[i]
        if at_least_one and not chosen and ranked and scores[ranked[0]] > 0:
            chosen = [ranked[0]]  # larger than the budget: _merge keeps its beginning
        return sorted(chosen)

    def _ends(self, query: SectionQuery, budget: int, sizes: Sequence[int]) -> list[int]:
        """The first chunks (``head_share`` of the budget; the first one whatever its
        length), then the last ones (``tail_share``)."""
        chosen: list[int] = []
        used = 0
        head_limit = budget * query.head_share
        tail_limit = budget * (query.head_share + query.tail_share)
        for i in range(len(self.chunks)):
            # the first unit always, if the budget holds it: a cover longer than its share
            if used + sizes[i] > (head_limit if chosen else budget):
                break
            chosen.append(i)
            used += sizes[i]
        for i in range(len(self.chunks) - 1, -1, -1):
            if i in chosen or used + sizes[i] > tail_limit:
                break
            chosen.append(i)
            used += sizes[i]
        return chosen or [0]

    def _close(self, size: int) -> Passage:
        """The document's last ``size`` characters from a line's start: its closing lines
        (the board's signature and date) where its last unit is longer than that."""
        text = self.document.text
        start = max(0, len(text) - size)
        line = text.find("\n", start, len(text) - 1)
        start = line + 1 if line >= 0 else start
        return Passage(start, len(text), text[start:])

    def _key_lines(
        self, query: SectionQuery, scores: Sequence[float], budget: int, chosen: Sequence[int]
    ) -> list[Passage]:
        """The line around the first occurrence of each of the section's ``line_terms`` that
        prints a figure (股票代码002821.SZ; 本财务报表业经公司董事会于2025年04月23日批准报出),
        unless the units chosen show it: a chunk of 800 characters rarely fits what the ends
        leave, its one line does. Best chunk (``scores``) first, while they fit ``budget``."""
        text = self.document.text
        found: list[tuple[float, int, int]] = []
        for term in query.line_terms:
            # an English term's words may wrap onto the next line (authorised\nfor issue)
            for m in re.finditer(r"\s+".join(map(re.escape, term.split())), text):
                a, b = line_around(text, m.start(), m.end(), wraps=term.isascii())
                if not _DIGITS.search(text[a:b]):
                    continue
                i = bisect_right(self._starts, m.start()) - 1
                # a chosen chunk shows it; a table's span may hold it as text outside its grid
                if i not in chosen or self._tables[i] is not None:
                    found.append((scores[i], a, b))
                break
        lines: list[Passage] = []
        for _, a, b in sorted(found, key=lambda hit: -hit[0]):
            overlaps = any(p.start < b and a < p.end for p in lines)
            if not overlaps and b - a <= budget:
                lines.append(Passage(a, b, text[a:b]))
                budget -= b - a
        return lines

    def _shown_texts(self, section: str, focus: Sequence[str]) -> list[str]:
        """What each unit shows the model for ``section``: a large table only its header
        rows and the rows whose label the section names (its field labels)."""
        wanted = _row_terms(section, focus)
        limit = int(config()["table_whole_chars"])
        rows_limit = int(config()["table_rows_chars"])
        by_kind = config().get("table_rows_chars_by_kind", {})
        return [
            table_text(self.document, table, int(by_kind.get(kind, rows_limit)), wanted)
            if table is not None and len(text) > limit
            else text
            for text, table, kind in zip(self._texts, self._tables, self._kinds, strict=True)
        ]

    def _merge(
        self, indices: Sequence[int], budget: int, shown: Sequence[str], wanted: Sequence[str]
    ) -> list[Passage]:
        """Adjacent text chunks become one passage, a table is a passage of its own; the
        total is cut to the budget (a table by whole rows, keeping those ``wanted``)."""
        spans: list[list[int]] = []
        for i in indices:
            a, b = self.chunks[i]
            if (
                spans
                and spans[-1][1] == a
                and not self._tables[i]
                and not self._tables[spans[-1][2]]
            ):
                spans[-1][1] = b
            else:
                spans.append([a, b, i])
        text = self.document.text
        passages: list[Passage] = []
        left = budget
        tokens = set(wanted)
        for a, b, i in spans:
            table = self._tables[i]
            if table is not None:
                rows = shown[i]
                if len(rows) > left:
                    rows = table_text(self.document, table, left, _labelled(tokens))
                if rows:  # its span holds the caption read above it
                    passages.append(Passage(min(a, self._caption_at(table)), b, rows))
                    left -= len(rows)
                continue
            b = min(b, a + left)
            if b > a:
                passages.append(Passage(a, b, text[a:b]))
                left -= b - a
        return passages


def _not_within(extras: list[Passage], passages: list[Passage], text: str) -> list[Passage]:
    """``extras`` but those a passage of text shows (a table's rows may not hold them)."""
    shown = [p for p in passages if p.text == text[p.start : p.end]]
    return [e for e in extras if not any(p.start <= e.start and e.end <= p.end for p in shown)]


def _row_terms(section: str, focus: Sequence[str]) -> Callable[[str], bool]:
    """Does a row label name a field of the section (all the tokens of one of its labels)?"""
    terms = [term for each in field_tokens(section, focus).values() for term in each]
    if not terms:
        return _labelled(set(query_tokens(section_query(section))))

    def names_a_field(label: str) -> bool:
        tokens = label_tokens(label)
        return any(names(term, tokens) for term in terms)

    return names_a_field


def _labelled(tokens: set[str]) -> Callable[[str], bool]:
    """Does a row label share a token with the section's query?"""
    return lambda label: bool(tokens & set(tokenize(label)))


def locate(document: Document, section: str, budget_chars: int) -> list[Passage]:
    """Passages of ``document`` for ``section`` within ``budget_chars`` (one-off use)."""
    return Locator(document).passages(section, budget_chars)
