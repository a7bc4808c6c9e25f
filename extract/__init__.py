"""Exact, checkable figures from Chinese listed-company filings.

>>> from extract import extract_file
>>> record = extract_file("examples/filings/004_b26c4ee7e7963a95.txt")
>>> record.filing.stock_code
'688271'
"""

from .config import Settings, resolve_settings
from .core.errors import ConfigError, ExtractError, InputError, LLMError
from .core.schema import Record, record_json_schema
from .pipeline import extract_bytes, extract_document, extract_file, extract_text

__all__ = [
    "ConfigError",
    "ExtractError",
    "InputError",
    "LLMError",
    "Record",
    "Settings",
    "extract_bytes",
    "extract_document",
    "extract_file",
    "extract_text",
    "record_json_schema",
    "resolve_settings",
]
