"""Prompt templates: one Jinja2 pair per contract section, loaded and checked up front.

Where the templates come from, first found wins:

1. ``settings.prompts_dir`` (``$EXTRACT_PROMPTS_DIR``): your own edited copy;
2. ``prompts/`` at the top of the source tree (a checkout or an editable install);
3. ``extract/prompts/`` inside the installed package (a wheel; ``setup.py`` copies the
   top-level ``prompts/`` there at build time, so there is one source of truth).

Every ``*.j2`` file of the directory is read, compiled with ``StrictUndefined`` and
rendered once with sample data, so a missing, broken or mistyped template is a
:class:`~extract.core.errors.ConfigError` naming the file before any LLM call. The first 12 hex
digits of the SHA-256 of all template sources are the ``prompt_version``: it is part of
every cache key and of the record.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import jinja2

from ...config import Settings
from ...core.errors import ConfigError
from ...core.schema import SECTION_NAMES
from .passage import Passage
from .request import Message
from .search import holds_column_block

REASK_GROUND = "_reask_ground.j2"
REASK_CHECK = "_reask_check.j2"
REQUIRED: tuple[str, ...] = (
    *(f"{s}.{role}.j2" for s in SECTION_NAMES for role in ("system", "user")),
    REASK_GROUND,
    REASK_CHECK,
)
_SOURCE_TREE = Path(__file__).resolve().parents[3]
_REPO_PROMPTS = _SOURCE_TREE / "prompts"
_SAMPLE_PASSAGES = (Passage(0, 4, "示例文字"),)
_SAMPLE_COLUMNS = (Passage(0, 31, "营业收入\n净利润\n1.00\n2.00\n3.00\n4.00"),)


class PromptSet:
    """The compiled templates of one directory and their version."""

    def __init__(self, location: str, sources: Mapping[str, str]) -> None:
        self.location = location
        self.version = _version(sources)
        self._env = jinja2.Environment(
            loader=jinja2.DictLoader(dict(sources)),
            undefined=jinja2.StrictUndefined,
            autoescape=False,  # prompts are plain text, not HTML
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
        )
        self._templates = {name: self._compile(name) for name in sources}
        self._check()

    def messages(
        self, section: str, passages: Sequence[Passage], focus: Sequence[str] = ()
    ) -> list[Message]:
        """The system and user messages of one call for ``section`` (``focus``: the fields
        still wanted, in auto mode)."""
        context = _context(section, passages, focus)
        return [
            {"role": "system", "content": self.render(f"{section}.system.j2", context)},
            {"role": "user", "content": self.render(f"{section}.user.j2", context)},
        ]

    def reask_ground(self, ungrounded: Iterable[Any]) -> str:
        """The follow-up message listing values not found in the filing (items with
        ``path`` and ``value``)."""
        return self.render(REASK_GROUND, {"ungrounded": list(ungrounded)})

    def reask_check(
        self,
        section: str,
        passages: Sequence[Passage],
        focus: Sequence[str],
        doubts: Sequence[Any],
    ) -> list[Message]:
        """The messages of a re-ask about figures that break identities (``doubts``: items
        with ``identity`` and ``figures``, each with ``path``, ``value`` and ``quote``)."""
        context = _context(section, passages, focus)
        user = self.render(REASK_CHECK, {**context, "doubts": list(doubts)})
        return [
            {"role": "system", "content": self.render(f"{section}.system.j2", context)},
            {"role": "user", "content": user},
        ]

    def overhead(self, section: str, focus: Sequence[str] = ()) -> int:
        """Characters of the prompt for ``section`` without any passage."""
        return sum(len(m["content"]) for m in self.messages(section, (), focus))

    def column_example_chars(self, section: str, focus: Sequence[str] = ()) -> int:
        """Characters the example of reading a column-printed table adds to the prompt for
        ``section`` (0 where its templates have none)."""
        context = _context(section, (), focus)
        with_example = self.render(f"{section}.system.j2", {**context, "column_printed": True})
        return len(with_example) - len(self.render(f"{section}.system.j2", context))

    def render(self, name: str, context: Mapping[str, Any]) -> str:
        template = self._templates.get(name)
        if template is None:
            raise ConfigError(f"prompt template {self._path(name)} is missing")
        try:
            return template.render(**context).strip()
        except jinja2.TemplateError as err:
            raise ConfigError(f"prompt template {self._path(name)}: {_describe(err)}") from err

    def _compile(self, name: str) -> jinja2.Template:
        try:
            return self._env.get_template(name)
        except jinja2.TemplateError as err:
            raise ConfigError(f"prompt template {self._path(name)}: {_describe(err)}") from err

    def _check(self) -> None:
        """Render every required template once with sample data."""
        for section in SECTION_NAMES:
            self.messages(section, _SAMPLE_PASSAGES)
            self.messages(section, _SAMPLE_PASSAGES, ("title",))
        self.reask_ground([{"path": "revenue.value", "value": 1.0}])
        figure = {"path": "revenue.value", "value": 1.0, "quote": "营业收入 1.00"}
        doubt = {"identity": "revenue.change_pct = …", "figures": [figure]}
        self.reask_check("financials", _SAMPLE_PASSAGES, ["revenue.value"], [doubt])
        self.messages("financials", _SAMPLE_COLUMNS)

    def _path(self, name: str) -> str:
        return f"{self.location}/{name}"


def _context(section: str, passages: Sequence[Passage], focus: Sequence[str]) -> dict[str, Any]:
    """What the templates of one call see; ``column_printed``: a passage holds a table
    printed column by column (the system prompt then shows how to read one)."""
    return {
        "section": section,
        "passages": list(passages),
        "focus": list(focus),
        "column_printed": holds_column_block(p.text for p in passages),
    }


def _describe(err: jinja2.TemplateError) -> str:
    line = getattr(err, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"{err.message or type(err).__name__}{where}"


def _version(sources: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name].encode() + b"\0")
    return digest.hexdigest()[:12]


def _read_sources(directory: Path | Traversable, location: str) -> dict[str, str]:
    if not directory.is_dir():
        raise ConfigError(f"prompt template directory {location} does not exist")
    sources: dict[str, str] = {}
    for entry in directory.iterdir():
        if entry.name.endswith(".j2") and entry.is_file():
            try:
                sources[entry.name] = entry.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as err:
                raise ConfigError(f"prompt template {location}/{entry.name}: {err}") from err
    for name in REQUIRED:
        if name not in sources:
            raise ConfigError(f"prompt template {location}/{name} is missing")
    return sources


def prompts_location(settings: Settings) -> tuple[Path | Traversable, str]:
    """The template directory the settings select, and how to name it in messages."""
    if settings.prompts_dir is not None:
        return settings.prompts_dir, str(settings.prompts_dir)
    # a source tree has pyproject.toml beside prompts/; site-packages/prompts is not ours
    if _REPO_PROMPTS.is_dir() and (_SOURCE_TREE / "pyproject.toml").is_file():
        return _REPO_PROMPTS, str(_REPO_PROMPTS)
    packaged = resources.files("extract") / "prompts"
    return packaged, "extract/prompts (package data)"


def load_prompts(settings: Settings) -> PromptSet:
    """Read, compile and check the templates (ConfigError naming the file on any fault)."""
    directory, location = prompts_location(settings)
    sources = _read_sources(directory, location)
    return _compiled(location, tuple(sorted(sources.items())))


@lru_cache(maxsize=8)
def _compiled(location: str, sources: tuple[tuple[str, str], ...]) -> PromptSet:
    """Compiling is the cost (~25 ms); the same sources compile once per process."""
    return PromptSet(location, dict(sources))


def prompt_version(settings: Settings) -> str:
    """The version of the templates the settings select (for the record)."""
    return load_prompts(settings).version
