"""Backends behind one small interface: ``extract(document, section) -> SectionResult``."""

from .base import Backend, Found, SectionResult

__all__ = ["Backend", "Found", "SectionResult"]
