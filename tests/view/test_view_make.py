"""extract.view.make: a view of a filing, or of a record file over its unchanged source."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from extract.config import Settings
from extract.core.errors import InputError
from extract.pipeline import extract_file
from extract.view.make import default_view_path, make_view, read_record_file

ROOT = Path(__file__).resolve().parents[2]
SEED_002 = ROOT / "examples" / "filings" / "002_daa05ddb4fe6983e.txt"  # incentive notice
RULES = Settings(backend="rules")


@pytest.fixture
def filing(tmp_path: Path) -> Path:
    return Path(shutil.copy(SEED_002, tmp_path / SEED_002.name))


@pytest.fixture
def record_file(filing: Path) -> Path:
    path = filing.with_name(filing.name + ".json")
    path.write_text(extract_file(filing, RULES).to_json(), encoding="utf-8")
    return path


def test_a_filing_and_its_record_file_give_the_same_view(filing: Path, record_file: Path) -> None:
    page = make_view(filing, RULES)
    assert make_view(record_file, RULES) == page
    assert "2023年限制性股票激励计划" in page and 'href="#f=incentive.shares_vesting"' in page


def test_a_record_keeps_fields_this_version_does_not_know(record_file: Path) -> None:
    data = json.loads(record_file.read_text(encoding="utf-8"))
    data["checks"] = {"incentive.shares_vesting": "conflict"}
    record_file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert read_record_file(record_file)["checks"] == data["checks"]
    assert 'class="v conflict"' in make_view(record_file, RULES)


def test_a_changed_source_is_refused(filing: Path, record_file: Path) -> None:
    filing.write_text("补充更正:" + SEED_002.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(InputError, match=r"has changed since the record was made"):
        make_view(record_file, RULES)


def test_a_missing_source_is_refused(filing: Path, record_file: Path) -> None:
    filing.unlink()
    with pytest.raises(InputError, match=r"source .* is not found"):
        make_view(record_file, RULES)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not a readable JSON record"),
        ('{"filing": {}}', "is not an extract record: source: Field required"),
        ("[1, 2]", "is not an extract record"),
    ],
)
def test_a_file_that_is_not_a_record_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "x.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        make_view(path, RULES)


def test_default_output_is_named_after_the_filing() -> None:
    assert default_view_path(Path("in/a.txt")) == Path("a.txt.html")
    assert default_view_path(Path("out/records/a.pdf.json")) == Path("a.pdf.html")
