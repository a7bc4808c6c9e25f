"""Whether a PDF's text layer runs right to left (vocab/sections.yaml, ``mirrored_text``).

Some PDFs draw their Chinese lines from right to left, and the text layer keeps that
order: parenthesised words come out reversed (``(經重列(``, ``溢利)╱虧損(除稅前``), and a
table row's label follows its figures, so a reader taking the figures after a label
takes the next row's. Reversed brackets outnumbering well-formed ones give it away.
"""

from __future__ import annotations

import re

from ...vocab import load_vocab

_REVERSED = re.compile(r"\)[\u4e00-\u9fff]{1,12}\(")
_WELL_FORMED = re.compile(r"\([\u4e00-\u9fff]{1,12}\)")


def runs_right_to_left(text: str) -> bool:
    """Do reversed brackets around Chinese words outnumber well-formed ones enough?"""
    limits = load_vocab("sections")["mirrored_text"]
    reversed_ = len(_REVERSED.findall(text))
    if reversed_ < int(limits["min_reversed"]):
        return False
    return reversed_ > float(limits["reversed_share"]) * len(_WELL_FORMED.findall(text))
