"""One base exception for everything the toolkit reports to a user.

Messages are one line and say what to do; the CLI prints them as ``Error: …``.
"""

from __future__ import annotations


class ExtractError(Exception):
    """Base class: a failure the user can act on."""


class InputError(ExtractError):
    """The input file cannot be read as a filing (missing, binary, empty, too large…)."""


class ConfigError(ExtractError):
    """Settings are missing or inconsistent (no model, unknown backend, bad template…)."""


class LLMError(ExtractError):
    """The LLM endpoint failed after all retries."""
