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
from typing import Any, Literal, TypeVar

import click
from click_default_group import DefaultGroup

from .config import BACKENDS, LLM_MODES, Settings, default_cache_dir, resolve_settings
from .core.atomic import write_atomic
from .core.errors import ExtractError
from .core.schema import record_json_schema
from .pipeline import extract_bytes, extract_file

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
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=None,
            help="rules, llm, or auto (rules, then the LLM for gaps when configured). "
            "Env: EXTRACT_BACKEND. Default: auto.",
        ),
        click.option("--model", default=None, help="LLM model name. Env: EXTRACT_MODEL."),
        click.option(
            "--base-url",
            default=None,
            help="OpenAI-compatible endpoint. Env: OPENAI_BASE_URL. Key: OPENAI_API_KEY.",
        ),
        click.option(
            "--mode",
            type=click.Choice(LLM_MODES),
            default=None,
            help="How the LLM returns structure: tools (default) or a JSON mode.",
        ),
        click.option("--no-cache", is_flag=True, help="Do not read or write the response cache."),
        click.option(
            "--max-mb",
            type=float,
            default=None,
            help="Refuse input files larger than this (default 50 MB).",
        ),
        click.option(
            "--encoding",
            default=None,
            metavar="NAME",
            help="Text encoding of the input (utf-8, gb18030, big5, big5hkscs, utf-16-le…); "
            "default: found per file, an error when unclear.",
        ),
        click.option(
            "--timeout",
            "timeout_s",
            type=float,
            default=None,
            help="Seconds per LLM call (default 60).",
        ),
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
        encoding=kwargs.get("encoding"),
    )


@click.group(cls=DefaultGroup, default="file", default_if_no_args=False)
@click.version_option(package_name="filing-extract")
def cli() -> None:
    """Exact, checkable figures from Chinese listed-company filings.

    `extract FILE` prints one JSON record; see `extract COMMAND --help` for the others.
    """


@cli.command("file")
@click.argument("path", type=str)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the record here instead of printing it.",
)
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


@cli.command("view")
@click.argument("path", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the page here (default: the filing's name + .html in the current folder; "
    "`-` prints it).",
)
@settings_options
@reports_errors
def view_command(path: Path, output: Path | None, **kwargs: Any) -> None:
    """Draw a record over its filing: one self-contained HTML page.

    PATH is a filing (extracted first, with the usual backend options) or a record
    (`.json`, as `extract FILE -o` or `extract batch` wrote it; its source is read from
    `source.path`).
    """
    from .view.make import default_view_path, make_view

    page = make_view(path, settings_from(kwargs))
    if output == Path("-"):
        click.echo(page, nl=False)
        return
    target = output or default_view_path(path)
    write_atomic(target, page)
    click.echo(f"wrote {target}")


@cli.command("schema")
def schema_command() -> None:
    """Print the JSON Schema of the record."""
    click.echo(json.dumps(record_json_schema(), ensure_ascii=False, indent=2))


# ---------------------------------------------------------------- extract eval


@click.group("eval", invoke_without_command=True)
@click.option(
    "--gold",
    "gold_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("eval/gold"),
    show_default=True,
    help="Folder of gold YAML files.",
)
@click.option(
    "--docs",
    "docs_dirs",
    type=click.Path(file_okay=False, path_type=Path),
    multiple=True,
    help="Where to find the gold documents; repeatable. "
    "Default: examples/filings, then the shared corpus and wild folders "
    "(../shared, or $EXTRACT_SHARED_DIR).",
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports/latest"),
    show_default=True,
    help="Folder for report.json, report.md and report.html.",
)
@click.option(
    "--predictions",
    "predictions_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Score the records of a batch output folder (OUT/records/*.json) "
    "instead of running the extractor.",
)
@click.option(
    "--floor",
    "floor_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Exit 1 when accuracy falls below this floor file (e.g. eval/floor.json).",
)
@settings_options
@click.pass_context
@reports_errors
def eval_command(
    ctx: click.Context,
    /,
    gold_dir: Path,
    docs_dirs: tuple[Path, ...],
    out_dir: Path,
    predictions_dir: Path | None,
    floor_file: Path | None,
    **kwargs: Any,
) -> None:
    """Score the extractor against gold labels; write report.json, report.md, report.html.

    `extract eval compare A.json B.json` compares two runs' report.json files.
    """
    if ctx.invoked_subcommand is not None:
        return
    from rich.console import Console

    from .evaluation.floor import check_floor, read_floor
    from .evaluation.render import VIEWS_FOLDER, print_floor, print_report, write_reports
    from .evaluation.run import evaluate

    report = evaluate(
        gold_dir,
        docs_dirs=docs_dirs or None,
        settings=None if predictions_dir else settings_from(kwargs),
        predictions_dir=predictions_dir,
        views_dir=out_dir / VIEWS_FOLDER,
    )
    paths = write_reports(report, out_dir)
    console = Console()
    print_report(report, console)
    click.echo("wrote " + ", ".join(str(p) for p in paths))
    if floor_file:
        checks = check_floor(report, read_floor(floor_file))
        print_floor(checks, report.meta.backend, console)
        if not all(c.passed for c in checks):
            ctx.exit(1)


@eval_command.command("compare")
@click.argument("a", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("b", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the comparison as JSON.")
@reports_errors
def eval_compare_command(a: Path, b: Path, as_json: bool) -> None:
    """Compare two report.json files: fields that got better or worse from A to B."""
    from rich.console import Console

    from .evaluation.compare import compare_files
    from .evaluation.render import comparison_json, print_comparison

    comparison = compare_files(a, b)
    if as_json:
        click.echo(comparison_json(comparison))
    else:
        print_comparison(comparison, Console())


cli.add_command(eval_command)


# ---------------------------------------------------------------- extract batch


@cli.command("batch")
@click.argument("folder", type=str)
@click.option(
    "-o",
    "--out",
    "out_dir",
    required=True,
    type=str,
    help="Output folder: records/, results.jsonl, results.csv, errors.jsonl. "
    "Like FOLDER, a path or (with fsspec installed) a URL such as s3://bucket/out.",
)
@click.option(
    "--glob",
    "globs",
    multiple=True,
    help="File pattern to extract; repeatable. Default: *.txt *.md *.html *.pdf.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, 4096),
    default=None,
    help="Filings extracted at the same time, and LLM requests in flight at once "
    "(default 4; with --engine ray, twice the cluster's task slots).",
)
@click.option(
    "--rpm",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="At most this many LLM requests per minute.",
)
@click.option(
    "--tpm",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="At most this many LLM tokens per minute.",
)
@click.option(
    "--workers",
    type=click.IntRange(0, 64),
    default=None,
    help="Processes that read and index filings for the LLM (default: one per CPU; "
    "0: threads of this process).",
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where filings are extracted: on this machine, or in Ray tasks "
    "(pip install 'filing-extract[ray]').",
)
@click.option(
    "--address",
    default=None,
    help="With --engine ray: the cluster (auto, or ray://HOST:PORT; local: a new Ray of "
    "this machine's CPUs). Default: RAY_ADDRESS, else Ray started on this machine.",
)
@click.option("--force", is_flag=True, help="Re-extract filings whose records are up to date.")
@click.option(
    "--html",
    is_flag=True,
    help="Also write each record's view beside it (OUT/records/<name>.html; see `extract view`).",
)
@click.option("--quiet", is_flag=True, help="Print only the summary.")
@settings_options
@reports_errors
def batch_command(
    folder: str,
    out_dir: str,
    globs: tuple[str, ...],
    concurrency: int | None,
    rpm: float | None,
    tpm: float | None,
    workers: int | None,
    engine: Literal["local", "ray"],
    address: str | None,
    force: bool,
    html: bool,
    quiet: bool,
    **kwargs: Any,
) -> None:
    """Extract every filing under FOLDER into OUT; re-running skips what is up to date.

    FOLDER is a path or, with fsspec installed, a URL (s3://bucket/filings).

    Exit code: 0 all extracted, 1 some failed (see OUT/errors.jsonl), 130 interrupted.
    """
    from rich.console import Console

    from .batch.progress import make_reporter, print_summary
    from .batch.runner import BatchOptions, run_batch
    from .batch.walk import DEFAULT_GLOBS, as_location

    options = BatchOptions(
        out=as_location(out_dir),
        globs=globs or DEFAULT_GLOBS,
        concurrency=concurrency,
        rpm=rpm,
        tpm=tpm,
        workers=workers,
        force=force,
        html=html,
        engine=engine,
        address=address,
    )
    console = Console()
    reporter = make_reporter(console, quiet=quiet)
    summary = run_batch(as_location(folder), options, settings_from(kwargs), reporter=reporter)
    print_summary(summary, console)
    sys.exit(summary.exit_code)


# ---------------------------------------------------------------- extract check


@cli.command("check")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the standing as JSON.")
@click.option("--top", type=int, default=20, show_default=True, help="Worst files to list.")
@reports_errors
def check_command(folder: Path, as_json: bool, top: int) -> None:
    """How a folder of records stands, without gold: per document type, the fields it must
    state that are present, the figures its own arithmetic confirms, the conflicts; then the
    worst files. FOLDER is an `extract batch` output folder or a folder of records."""
    from rich.console import Console

    from .evaluation.checkup import check_folder, checkup_json, print_checkup

    results = check_folder(folder)
    if as_json:
        click.echo(json.dumps(checkup_json(results), ensure_ascii=False, indent=2))
    else:
        print_checkup(results, Console(), top=top)


# ---------------------------------------------------------------- extract cache


@click.group("cache")
def cache_group() -> None:
    """The LLM response cache ($EXTRACT_CACHE_DIR, else ~/.cache/filing-extract)."""


@cache_group.command("stats")
@reports_errors
def cache_stats_command() -> None:
    """Print the cache's entries, size on disk and location."""
    from .backends.llm.cache import cache_stats

    stats = cache_stats(default_cache_dir(os.environ))
    click.echo(f"location: {stats.location}")
    click.echo(f"entries:  {stats.entries}")
    click.echo(f"size:     {stats.size_bytes / 1e6:.2f} MB ({stats.size_bytes} bytes)")


@cache_group.command("clear")
@reports_errors
def cache_clear_command() -> None:
    """Remove every cached LLM answer."""
    from .backends.llm.cache import cache_clear

    location = default_cache_dir(os.environ)
    removed = cache_clear(location)
    click.echo(f"removed {removed} entries from {location}")


cli.add_command(cache_group)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
