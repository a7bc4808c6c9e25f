"""extract.load.decode: a filing's encoding found, forced, or refused naming the candidates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from shared_files import assert_verbatim, corpus_file

from extract import Settings, extract_file
from extract.core.errors import InputError
from extract.load.decode import decode_bytes

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
D07 = "d07_haitian_03288_stabilisation_end_2025.txt"
D08 = "d08_hengrui_01276_allotment_results_2025.txt"

# d07 (HKEX, Traditional Chinese), verbatim
HKEX_D07 = (
    "本公司宣佈，整體協調人（為其本身及代表國際承銷商）已於2025年7月16日（星\n"
    "期三）\n"
    "（交易時段後）部分行使招股章程所述的超額配股權，涉及合共12,192,700股\n"
    "H股（「超額配發股份」），佔全球發售項下可供認購發售股份總數（於計及發售量調\n"
    "整權獲悉數行使後，但於任何超額配股權獲行使前）的約4.37%。\n"
)
# d08: 恒 is in Big5-HKSCS (and cp950), not in plain Big5
HKEX_D08 = "Jiangsu Hengrui Pharmaceuticals Co., Ltd.\n江蘇恒瑞醫藥股份有限公司\n"
# d06: English with a few curly quotes, the only non-ASCII characters
ENGLISH_D06 = (
    "details of the use of proceeds, please refer to the section headed “Future Plans and Use of\n"
    "Proceeds” of the Prospectus. The Company will adjust the allocation of the net proceeds\n"
)
# 004, the first lines (Simplified Chinese), verbatim
SNIPPET_004 = (
    "证券代码:688271 证券简称:联影医疗 公告编号:2024-061\n"
    "上海联影医疗科技股份有限公司\n"
    "关于 2023 年限制性股票激励计划首次授予部分\n"
)


def test_fixtures_are_verbatim() -> None:
    assert_verbatim(
        {
            f"corpus/{D07}": [HKEX_D07],
            f"corpus/{D08}": [HKEX_D08],
            "corpus/d06_catl_03750_allotment_results_2025.txt": [ENGLISH_D06],
            "examples/filings/004_b26c4ee7e7963a95.txt": [SNIPPET_004],
        }
    )


def _error(data: bytes, **kwargs: Any) -> str:
    with pytest.raises(InputError) as info:
        decode_bytes(data, "f.txt", **kwargs)
    message = str(info.value)
    assert "\n" not in message and "f.txt" in message
    return message


# --- found ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encode", "encoding"),
    [
        (HKEX_D07, lambda s: s.encode("big5"), "big5"),
        (HKEX_D07, lambda s: s.encode("utf-16-le"), "utf-16-le"),
        (HKEX_D07, lambda s: s.encode("utf-16-be"), "utf-16-be"),
        (HKEX_D07, lambda s: s.encode("gb18030"), "gb18030"),
        (HKEX_D07, lambda s: s.encode("utf-8"), "utf-8"),
        (HKEX_D07, lambda s: "\ufeff".encode("utf-16-le") + s.encode("utf-16-le"), "utf-16"),
        (HKEX_D07 + HKEX_D08, lambda s: s.encode("big5hkscs"), "big5hkscs"),
        (SNIPPET_004, lambda s: s.encode("utf-16-le"), "utf-16-le"),
        (SNIPPET_004, lambda s: s.encode("utf-16-be"), "utf-16-be"),
        (SNIPPET_004, lambda s: s.encode("gbk"), "gb18030"),
    ],
    ids=[
        "big5",
        "utf16le",
        "utf16be",
        "gb18030-traditional",
        "utf8",
        "utf16-bom",
        "big5hkscs",
        "utf16le-simplified",
        "utf16be-simplified",
        "gbk",
    ],
)
def test_encoding_found(text: str, encode: Callable[[str], bytes], encoding: str) -> None:
    decoded = decode_bytes(encode(text), "f.txt")
    assert (decoded.text, decoded.encoding) == (text, encoding)


@pytest.mark.parametrize("encoding", ["gb18030", "utf-16-le", "utf-16-be"])
def test_every_seed_found_in_its_encoding(encoding: str) -> None:
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        assert decode_bytes(text.encode(encoding), path.name).encoding == encoding, path.name


@pytest.mark.parametrize("encoding", ["big5hkscs", "utf-16-le", "utf-16-be", "gb18030"])
@pytest.mark.parametrize("name", [D07, D08])
def test_whole_hkex_filing_found(name: str, encoding: str) -> None:
    text = corpus_file(name).read_text(encoding="utf-8")
    decoded = decode_bytes(text.encode(encoding), name)
    assert decoded.text == text
    # d07 holds nothing outside plain Big5, so its Big5-HKSCS bytes are plain Big5 bytes
    assert decoded.encoding == ("big5" if (name, encoding) == (D07, "big5hkscs") else encoding)


# --- refused ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ("中文".encode("big5"), ("big5 (中文)", "gb18030 (いゅ)")),
        ("中文".encode("gbk"), ("big5 (笢恅)", "gb18030 (中文)")),
        ("收入 467,049 413,713 12.9%\n".encode("big5"), ("big5 (收入", "gb18030")),
        ("营业收入".encode("gbk"), ("gb18030 (营业收入)",)),
    ],
    ids=["big5", "gbk", "hkex-row-big5", "gbk-label"],
)
def test_short_ambiguous_bytes_are_refused_naming_the_candidates(
    data: bytes, named: tuple[str, ...]
) -> None:
    message = _error(data)
    assert "cannot tell its encoding" in message and "--encoding" in message
    for candidate in named:
        assert candidate in message


def test_a_few_curly_quotes_are_too_little_to_tell_big5_from_gb18030() -> None:
    # both decode the English text to plausible characters; 4 non-ASCII characters decide nothing
    message = _error(ENGLISH_D06.encode("big5"))
    assert "big5" in message and "gb18030" in message
    # the same quotes in UTF-8 are clear: valid UTF-8 is UTF-8
    assert decode_bytes(ENGLISH_D06.encode("utf-8")).encoding == "utf-8"


def test_bytes_of_no_candidate_encoding_are_refused() -> None:
    message = _error("营业收入 5,333,486,253.17".encode() + b"\xff\xfe\xfd\x80\x80")
    assert "not valid UTF-8, GB18030, Big5 or UTF-16" in message and "--encoding" in message


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        bytes(range(1, 32)) * 100,
    ],
    ids=["png", "controls"],
)
def test_binary_is_refused(data: bytes) -> None:
    assert "binary" in _error(data)


def test_invalid_bytes_after_a_byte_order_mark() -> None:
    message = _error(b"\xef\xbb\xbf" + "营业收入".encode() + b"\xff\xff")
    assert "byte-order mark" in message and "utf-8 text (byte 15)" in message


# --- forced ----------------------------------------------------------------------------------


def test_forced_encoding_settles_an_ambiguous_string() -> None:
    decoded = decode_bytes("中文".encode("big5"), encoding="big5")
    assert (decoded.text, decoded.encoding) == ("中文", "big5")
    assert decode_bytes("中文".encode("gbk"), encoding="GBK").encoding == "gbk"


def test_forced_encoding_that_does_not_fit_is_an_error() -> None:
    message = _error(HKEX_D07.encode("big5"), encoding="utf-8")
    assert "not valid utf-8" in message and "byte 0" in message


def test_unknown_forced_encoding_is_an_error() -> None:
    with pytest.raises(InputError, match="unknown encoding 'klingon'; give a name such as utf-8"):
        decode_bytes(b"text", encoding="klingon")


# --- the record: the same whatever the encoding ---------------------------------------------------


def _record_without_source(path: Path) -> dict[str, Any]:
    record = extract_file(path, Settings(backend="rules")).model_dump(mode="json")
    source = record.pop("source")
    assert source["chars"] > 0
    return record


@pytest.mark.parametrize(
    ("name", "encoding"),
    [(D07, "big5"), (D07, "utf-16-le"), (D07, "utf-16-be"), (D08, "big5hkscs"), (D08, "utf-16-le")],
)
def test_traditional_filing_gives_the_record_of_its_utf8_original(
    tmp_path: Path, name: str, encoding: str
) -> None:
    original = corpus_file(name)
    copy = tmp_path / name
    copy.write_bytes(original.read_text(encoding="utf-8").encode(encoding))
    expected = _record_without_source(original)
    assert expected["filing"]["company_name"]  # a real record, not an empty one
    assert _record_without_source(copy) == expected
    source = extract_file(copy, Settings(backend="rules")).source
    assert source.encoding == encoding
    assert source.chars == len(original.read_text(encoding="utf-8"))
