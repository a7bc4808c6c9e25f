"""How vocabulary patterns are matched."""

from __future__ import annotations

import re

from extract.vocab import spaced


def test_a_space_in_a_pattern_matches_any_run_of_whitespace() -> None:
    pattern = re.compile(spaced("Profit attributable to owners"))
    assert pattern.fullmatch("Profit attributable to\nowners")
    assert pattern.fullmatch("Profit  attributable to owners")
    assert not pattern.fullmatch("Profitattributable to owners")


def test_spaces_in_character_classes_and_escapes_stay_literal() -> None:
    assert spaced(r"[A-Z ,.]{2} \ x") == r"[A-Z ,.]{2}\s+\ x"
    assert spaced("营业收入") == "营业收入"


def test_an_optional_space_matches_optional_whitespace() -> None:
    assert spaced("HK\\$ ?{N}") == "HK\\$\\s*{N}"
    assert spaced("a +b") == "a\\s+b"
    pattern = re.compile(spaced("HK\\$ ?\\d+"))
    assert pattern.fullmatch("HK$60") and pattern.fullmatch("HK$ 60")
