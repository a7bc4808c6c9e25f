"""Backends behind one small interface: ``extract(document, section) -> SectionResult``."""

from .base import Backend, SectionResult

__all__ = ["Backend", "SectionResult"]
