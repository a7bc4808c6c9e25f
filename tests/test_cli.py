"""The command line via CliRunner: ``extract FILE``, ``-o``, ``-``, ``extract schema``, errors."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from extract.cli import cli
from extract.core.schema import Record

ROOT = Path(__file__).resolve().parents[1]
SEED_004 = ROOT / "examples" / "filings" / "004_b26c4ee7e7963a95.txt"
SEED_003 = ROOT / "examples" / "filings" / "003_de5880db65f9c6a7.txt"
# the head of a PDF, cut off: what a failed download or a .pdf renamed .txt looks like
TRUNCATED_PDF = (
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n" * 40
)

# no LLM endpoint from the environment: the CLI runs the rules only, offline
HERMETIC_ENV: dict[str, str | None] = {
    name: None
    for name in (
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "EXTRACT_MODEL",
        "EXTRACT_BACKEND",
        "EXTRACT_LLM_MODE",
        "EXTRACT_RAISE_ERRORS",
        "EXTRACT_NO_CACHE",
    )
}

# 鲁迅《故乡》(1921), the opening: not a filing
NOVEL = (
    "我冒了严寒，回到相隔二千余里，别了二十余年的故乡去。时候既然是深冬；渐近故乡时，天气又阴晦了，"
    "冷风吹进船舱中，呜呜的响，从篷隙向外一望，苍黄的天底下，远近横着几个萧索的荒村，没有一些活气。"
)


def run(args: list[str], input: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=input, env=HERMETIC_ENV)


def record_of(result: Result) -> dict[str, Any]:
    assert result.exit_code == 0, (result.stderr, result.exception)
    return json.loads(result.stdout_bytes.decode("utf-8"))


# --- extract FILE ---------------------------------------------------------------------------


def test_extract_file_prints_json_with_readable_chinese() -> None:
    result = run([str(SEED_004)])
    data = record_of(result)
    raw = result.stdout_bytes.decode("utf-8")
    assert "\\u" not in raw  # Chinese is not escaped
    assert "上海联影医疗科技股份有限公司" in raw
    assert data["filing"]["stock_code"] == "688271"
    assert data["filing"]["document_type"] == "incentive_announcement"
    assert data["financials"] is None  # an incentive notice states no financials of its own
    assert data["incentive"]["shares_vesting"] == 1079160
    assert data["source"]["encoding"] == "utf-8"
    assert result.stderr == ""


def _validate(data: dict[str, Any], schema: dict[str, Any]) -> None:
    import jsonschema  # a dev dependency

    jsonschema.validate(data, schema)
    # always: the record model itself, strictly, and the schema's top level
    Record.model_validate(data, strict=False)
    assert set(schema["required"]) <= set(data)
    assert set(data) <= set(schema["properties"])
    for section in ("filing", "dividend", "buyback", "incentive"):
        body = data[section]
        if body is not None:
            definition = schema["$defs"][section.capitalize()]
            assert set(body) <= set(definition["properties"]), section


@pytest.mark.parametrize(
    "path",
    sorted((ROOT / "examples" / "filings").glob("*.txt")),
    ids=lambda p: p.name[:3],
)
def test_output_validates_against_extract_schema(path: Path) -> None:
    schema = json.loads(run(["schema"]).stdout)
    _validate(record_of(run([str(path)])), schema)


def test_evidence_offsets_point_into_the_file() -> None:
    data = record_of(run([str(SEED_003)]))
    original = SEED_003.read_text(encoding="utf-8")
    assert data["evidence"]
    for field, evidence in data["evidence"].items():
        assert original[evidence["start"] : evidence["end"]] == evidence["quote"], field
    assert "467,049" in data["evidence"]["financials.revenue.value"]["quote"]


def test_output_file_has_the_same_json(tmp_path: Path) -> None:
    printed = run([str(SEED_004)])
    out = tmp_path / "out.json"
    written = run([str(SEED_004), "-o", str(out)])
    assert written.exit_code == 0 and written.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == record_of(printed)
    assert out.read_text(encoding="utf-8") == printed.stdout_bytes.decode("utf-8")


def test_stdin() -> None:
    from_file = record_of(run([str(SEED_004)]))
    from_stdin = record_of(run(["-"], input=SEED_004.read_bytes()))
    assert from_stdin["source"]["path"] == "<stdin>"
    assert from_stdin["source"]["sha256"] == from_file["source"]["sha256"]
    assert from_stdin["filing"] == from_file["filing"]
    assert from_stdin["incentive"] == from_file["incentive"]


def test_stdin_gb18030() -> None:
    data = record_of(run(["-"], input=SEED_004.read_text(encoding="utf-8").encode("gb18030")))
    assert data["source"]["encoding"] == "gb18030"
    assert data["filing"]["company_name"] == "上海联影医疗科技股份有限公司"


def test_encoding_flag_forces_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "short.txt"
    path.write_bytes("中文".encode("big5"))  # too short to tell Big5 from GB18030
    assert "cannot tell its encoding" in run([str(path)]).stderr
    forced = record_of(run(["--encoding", "big5", str(path)]))
    assert forced["source"]["encoding"] == "big5"
    assert forced["source"]["chars"] == 2
    stdin = record_of(run(["--encoding", "GBK", "-"], input="中".encode("gbk")))
    assert stdin["source"]["encoding"] == "gbk"


def test_schema_command_prints_a_json_schema() -> None:
    result = run(["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert {
        "source",
        "filing",
        "financials",
        "dividend",
        "buyback",
        "incentive",
        "evidence",
        "warnings",
    } <= set(schema["properties"])
    assert "Metric" in schema["$defs"] and "Filing" in schema["$defs"]
    assert "\\u" not in result.stdout


def test_not_a_filing_gives_nulls_and_a_warning() -> None:
    result = run(["-"], input=NOVEL.encode("utf-8"))
    data = record_of(result)
    assert all(value is None for value in data["filing"].values())
    assert data["warnings"]
    for section in ("financials", "dividend", "buyback", "incentive"):
        assert data[section] is None


def test_not_a_filing_file(tmp_path: Path) -> None:
    path = tmp_path / "novel.txt"
    path.write_text(NOVEL, encoding="utf-8")
    data = record_of(run([str(path)]))
    assert data["filing"]["company_name"] is None and data["warnings"]


# --- extract view ---------------------------------------------------------------------------


def test_view_writes_a_page_named_after_the_filing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(["view", str(SEED_004)])
    assert result.exit_code == 0, result.stderr
    page = tmp_path / f"{SEED_004.name}.html"
    assert result.stdout == f"wrote {page.name}\n"
    assert page.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_view_of_a_record_file_is_the_view_of_its_filing(tmp_path: Path) -> None:
    record = tmp_path / "r.json"
    assert run([str(SEED_004), "-o", str(record)]).exit_code == 0
    printed = run(["view", str(record), "-o", "-"])
    assert printed.exit_code == 0, printed.stderr
    written = tmp_path / "v.html"
    assert run(["view", str(SEED_004), "-o", str(written)]).exit_code == 0
    assert printed.stdout == written.read_text(encoding="utf-8")
    assert "<mark data-f=" in printed.stdout


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (None, "no such file"),
        ('{"filing": {}}', "is not an extract record: source: Field required"),
    ],
)
def test_view_of_a_bad_record_is_one_error_line(
    tmp_path: Path, content: str | None, words: str
) -> None:
    path = tmp_path / "r.json"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    result = run(["view", str(path), "-o", str(tmp_path / "v.html")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert words in result.stderr
    assert not (tmp_path / "v.html").exists()


# --- bad inputs: exit 1, one line on stderr, no traceback ---------------------------------------


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], bytes | None, str]]:
    empty = tmp / "empty.txt"
    empty.write_bytes(b"")
    binary = tmp / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    pdf_as_txt = tmp / "report.txt"
    pdf_as_txt.write_bytes(TRUNCATED_PDF)  # a PDF, truncated, named .txt
    undecodable = tmp / "bad.txt"
    undecodable.write_bytes("营业收入 5,333,486,253.17".encode() + b"\xff\xfe\xfd\x80\x80")
    ambiguous = tmp / "short.txt"
    ambiguous.write_bytes("中文".encode("gbk"))
    return {
        "missing": ([str(tmp / "nope.txt")], None, "no such file"),
        "directory": ([str(tmp)], None, "directory"),
        "empty": ([str(empty)], None, "empty"),
        "binary": ([str(binary)], None, "binary"),
        "pdf_as_txt": ([str(pdf_as_txt)], None, "PDF"),
        "undecodable": ([str(undecodable)], None, "UTF-8"),
        "too_large": (["--max-mb", "0.001", str(SEED_004)], None, "limit"),
        "ambiguous": ([str(ambiguous)], None, "big5 (笢恅) or gb18030 (中文)"),
        "wrong_encoding": (["--encoding", "utf-8", str(ambiguous)], None, "not valid utf-8"),
        "unknown_encoding": (["--encoding", "klingon", str(SEED_004)], None, "unknown encoding"),
        "empty_stdin": (["-"], b"", "empty"),
        "pdf_on_stdin": (["-"], TRUNCATED_PDF, "PDF"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "missing",
        "directory",
        "empty",
        "binary",
        "pdf_as_txt",
        "undecodable",
        "too_large",
        "ambiguous",
        "wrong_encoding",
        "unknown_encoding",
        "empty_stdin",
        "pdf_on_stdin",
    ],
)
def test_bad_input_is_one_error_line(tmp_path: Path, case: str) -> None:
    args, stdin, words = _bad_inputs(tmp_path)[case]
    result = run(args, input=stdin)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stdout == ""


def test_bad_input_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    assert str(missing) in run([str(missing)]).stderr


# --- the README's first two commands --------------------------------------------------------------

FIRST_COMMANDS = (
    "python3 -m venv .venv && .venv/bin/pip install -e '.[dev]' && "
    ".venv/bin/extract examples/filings/001_815c9fc6d423563f.txt",
    ".venv/bin/python -m pytest",
)


def _readme() -> str:
    readme = ROOT / "README.md"
    if not readme.exists():
        pytest.skip("README.md not written yet")
    return readme.read_text(encoding="utf-8")


def test_readme_starts_with_the_two_commands() -> None:
    text = _readme()
    blocks = re.findall(r"```(?:bash|sh|console)?\n(.*?)```", text, re.S)
    assert [b.strip() for b in blocks[:2]] == list(FIRST_COMMANDS)
    # at the top: before the first section heading
    first_heading = text.find("\n## ")
    assert all(0 <= text.find(c) < first_heading for c in FIRST_COMMANDS)


def test_readme_first_command_works() -> None:
    _readme()
    words = shlex.split(FIRST_COMMANDS[0].split("&&")[-1])
    assert words[0].endswith("extract")
    result = CliRunner().invoke(cli, [str(ROOT / w) for w in words[1:]], env=HERMETIC_ENV)
    data = record_of(result)
    assert data["filing"]["title"] == "2024年半年度报告"
    assert data["financials"]["revenue"]["value"] == 5333486253.17
