"""The command line: parse arguments, call one library function, print. Nothing else.

``extract FILE`` is the default command, so it keeps working beside ``extract batch``,
``extract eval``, ``extract schema`` and ``extract cache``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

import click
from click_default_group import DefaultGroup

from .atomic import write_atomic
from .config import BACKENDS, LLM_MODES, Settings, resolve_settings
from .errors import ExtractError
from .pipeline import extract_bytes, extract_file
from .schema import record_json_schema

F = TypeVar("F", bound=Callable[..., Any])


def reports_errors(fn: F) -> F:
    """Turn library errors into ``Error: …`` and exit 1; ``EXTRACT_RAISE_ERRORS=1`` re-raises."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ExtractError as err:
            if os.environ.get("EXTRACT_RAISE_ERRORS"):
                raise
            click.echo(f"Error: {err}", err=True)
            sys.exit(1)
        except (KeyboardInterrupt, click.exceptions.Exit, click.ClickException):
            raise
        except Exception as err:  # a bug: still one line for the user, details on request
            if os.environ.get("EXTRACT_RAISE_ERRORS"):
                raise
            click.echo(
                f"Error: internal error ({type(err).__name__}: {err}); "
                "set EXTRACT_RAISE_ERRORS=1 for the traceback",
                err=True,
            )
            sys.exit(70)

    return wrapper  # type: ignore[return-value]


def settings_options(fn: F) -> F:
    """The options every extracting command shares."""
    options = [
        click.option("--backend", type=click.Choice(BACKENDS), default=None,
                     help="rules, llm, or auto (rules, then the LLM for gaps when configured). "
                          "Env: EXTRACT_BACKEND. Default: auto."),
        click.option("--model", default=None, help="LLM model name. Env: EXTRACT_MODEL."),
        click.option("--base-url", default=None,
                     help="OpenAI-compatible endpoint. Env: OPENAI_BASE_URL. Key: OPENAI_API_KEY."),
        click.option("--mode", type=click.Choice(LLM_MODES), default=None,
                     help="How the LLM returns structure: tools (default) or a JSON mode."),
        click.option("--no-cache", is_flag=True, help="Do not read or write the response cache."),
        click.option("--max-mb", type=float, default=None,
                     help="Refuse input files larger than this (default 50 MB)."),
        click.option("--timeout", "timeout_s", type=float, default=None,
                     help="Seconds per LLM call (default 60)."),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


def settings_from(kwargs: dict[str, Any]) -> Settings:
    return resolve_settings(
        backend=kwargs.get("backend"),
        model=kwargs.get("model"),
        base_url=kwargs.get("base_url"),
        mode=kwargs.get("mode"),
        use_cache=not kwargs.get("no_cache"),
        max_mb=kwargs.get("max_mb"),
        timeout_s=kwargs.get("timeout_s"),
    )


@click.group(cls=DefaultGroup, default="file", default_if_no_args=False)
@click.version_option(package_name="filing-extract")
def cli() -> None:
    """Exact, checkable figures from Chinese listed-company filings.

    `extract FILE` prints one JSON record; see `extract COMMAND --help` for the others.
    """


@cli.command("file")
@click.argument("path", type=str)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the record here instead of printing it.")
@settings_options
@reports_errors
def file_command(path: str, output: Path | None, **kwargs: Any) -> None:
    """Extract one filing (.txt, .md, .html or .pdf; `-` reads stdin)."""
    settings = settings_from(kwargs)
    if path == "-":
        record = extract_bytes(sys.stdin.buffer.read(), settings, name="<stdin>")
    else:
        record = extract_file(path, settings)
    text = record.to_json() + "\n"
    if output:
        write_atomic(output, text)
    else:
        click.echo(text, nl=False)


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the record."""
    click.echo(json.dumps(record_json_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
