"""extract.load: decoding, input errors, normalisation and the offset map back to the file."""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from shared_files import corpus_file

from extract.core.errors import InputError
from extract.load.decode import decode_bytes
from extract.load.document import Document, document_from_bytes, read_document
from extract.load.html import has_markup, visible_text
from extract.load.normalise import normalise_text

SMALL_PDF_NAME = "d07_haitian_03288_stabilisation_end_2025.pdf"

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "examples" / "filings").glob("*.txt"))
SEED_001 = ROOT / "examples" / "filings" / "001_815c9fc6d423563f.txt"

# 004, the first lines as pdftotext wrote them (verbatim)
SNIPPET_004 = (
    "证券代码:688271 证券简称:联影医疗 公告编号:2024-061\n"
    "上海联影医疗科技股份有限公司\n"
    "关于 2023 年限制性股票激励计划首次授予部分\n"
    "第一个归属期符合归属条件的公告\n"
    "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述\n"
    "或者重大遗漏,并对其内容的真实性、准确性和完整性依法承担法律责任。\n"
)
# 000, full-width punctuation as the file has it (verbatim)
SNIPPET_000 = (
    "股份回购方面，2023 年 8 月 22 日，基于对未来发展的信心和对公司价值的\n\n"
    "认可，为建立完善长效激励机制，公司发布回购方案，回购资金总额不低于 4亿\n\n"
    "元（含），不超过 8 亿元（含）。截至 2024 年 6 月 30 日，公司已累计回购股份\n"
)


def test_seed_files_present() -> None:
    assert len(SEEDS) == 5


# --- decoding ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encode", "encoding"),
    [
        ("utf8", lambda s: s.encode("utf-8"), "utf-8"),
        ("utf8_bom", lambda s: b"\xef\xbb\xbf" + s.encode("utf-8"), "utf-8-sig"),
        ("gb18030", lambda s: s.encode("gb18030"), "gb18030"),
        ("gbk", lambda s: s.encode("gbk"), "gb18030"),  # GBK is read as its superset
        ("utf16_le_bom", lambda s: b"\xff\xfe" + s.encode("utf-16-le"), "utf-16"),
        ("utf16_be_bom", lambda s: b"\xfe\xff" + s.encode("utf-16-be"), "utf-16"),
    ],
)
@pytest.mark.parametrize("snippet", [SNIPPET_004, SNIPPET_000], ids=["004", "000"])
def test_decoding(
    tmp_path: Path, name: str, encode: Callable[[str], bytes], encoding: str, snippet: str
) -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(encode(snippet))
    doc = read_document(path)
    assert doc.original == snippet
    assert doc.encoding == encoding
    # the same bytes from stdin decode the same way
    assert document_from_bytes(path.read_bytes(), "<stdin>").original == snippet


def test_decoded_text_is_normalised_but_original_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "000.txt"
    path.write_bytes(SNIPPET_000.encode("gb18030"))
    doc = read_document(path)
    assert "，" in doc.original and "，" not in doc.text
    assert "回购资金总额不低于4亿元(含),不超过8亿元(含)" in doc.text


# --- bad inputs ----------------------------------------------------------------------------


def _input_error(path: Path, **kwargs: int) -> str:
    with pytest.raises(InputError) as info:
        read_document(path, **kwargs)
    message = str(info.value)
    assert "\n" not in message  # one line
    assert str(path) in message  # says which input
    return message


def test_missing_path(tmp_path: Path) -> None:
    assert "no such file" in _input_error(tmp_path / "nope.txt")


def test_directory(tmp_path: Path) -> None:
    message = _input_error(tmp_path)
    assert "directory" in message and "extract batch" in message


@pytest.mark.parametrize("content", [b"", b"  \n\n\t \r\n"], ids=["empty", "whitespace"])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    assert "empty" in _input_error(path)


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8)
    assert "binary" in _input_error(path)


def test_binary_file_of_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "controls.txt"
    path.write_bytes(bytes(range(1, 32)) * 100)
    assert "binary" in _input_error(path)


def test_truncated_pdf_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(corpus_file(SMALL_PDF_NAME).read_bytes()[:2000])
    message = _input_error(path)
    assert "PDF" in message


def test_pdf_bytes_on_stdin_say_to_give_the_pdf_path() -> None:
    with pytest.raises(InputError, match="is a PDF"):
        decode_bytes(corpus_file(SMALL_PDF_NAME).read_bytes()[:4096], "<stdin>")


def test_real_pdf_named_txt_is_read_as_pdf(tmp_path: Path) -> None:
    """A whole PDF with a .txt name is recognised by its bytes (not an error)."""
    path = tmp_path / "d07.txt"
    path.write_bytes(corpus_file(SMALL_PDF_NAME).read_bytes())
    doc = read_document(path)
    assert doc.encoding == "pdf"
    assert "佛山市海天調味食品股份有限公司" in doc.text


def test_undecodable_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    # UTF-8 Chinese, then bytes neither UTF-8 nor GB18030 accept
    path.write_bytes("营业收入 5,333,486,253.17".encode() + b"\xff\xfe\xfd\x80\x80")
    message = _input_error(path)
    assert "UTF-8" in message and "GB18030" in message


def test_invalid_bytes_after_a_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "营业收入".encode() + b"\xff\xff")
    assert "byte-order mark" in _input_error(path)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(SNIPPET_004.encode("utf-8") * 20)
    message = _input_error(path, max_bytes=1000)
    assert "limit" in message and "--max-mb" in message
    # under the limit it reads
    assert read_document(path, max_bytes=10**6).original == SNIPPET_004 * 20


def test_size_limit_message_states_the_limit_given(tmp_path: Path) -> None:
    from extract.config import resolve_settings

    path = tmp_path / "big.txt"
    path.write_bytes(SNIPPET_004.encode("utf-8") * 20)
    settings = resolve_settings(max_mb=0.001, env={})
    message = _input_error(path, max_bytes=settings.max_bytes)
    assert "0.001 MB" in message


# --- the offset map: every span of the normalised text maps back exactly ----------------------


@cache
def _seed(path: Path) -> Document:
    return read_document(path)


def _compact(text: str, markup: bool) -> str:
    return "".join(text.split()) if markup else text


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_offset_map_round_trips_random_spans(path: Path) -> None:
    doc = _seed(path)
    markup = has_markup(doc.original)
    rng = random.Random(20240829)
    failures = []
    for _ in range(2000):
        length = rng.randint(1, 80)
        start = rng.randrange(0, len(doc.text) - length + 1)
        end = start + length
        a, b = doc.original_span(start, end)
        assert 0 <= a < b <= len(doc.original)
        assert doc.quote(start, end) == doc.original[a:b]
        # the quote, as a reader sees it, normalises to the text matched (up to the spaces a
        # table's markup makes, where it carries HTML: 002, cut out of its table)
        seen = normalise_text(visible_text(doc.original[a:b]), doc.furniture)
        if _compact(seen, markup) != _compact(doc.text[start:end], markup):
            failures.append((start, end, doc.text[start:end], doc.original[a:b]))
        span = doc.normalised_span(a, b)
        assert span is not None and span[0] <= start and span[1] >= end
    assert failures == []


@pytest.mark.parametrize("path", SEEDS, ids=[p.stem[:3] for p in SEEDS])
def test_offset_map_is_monotonic(path: Path) -> None:
    doc = _seed(path)
    starts = [doc.original_span(i, i + 1)[0] for i in range(len(doc.text))]
    assert starts == sorted(starts)
    assert doc.original_span(0, len(doc.text))[1] <= len(doc.original)


def test_original_span_rejects_empty_or_outside_spans() -> None:
    doc = Document.from_text(SNIPPET_004)
    for start, end in ((3, 3), (-1, 2), (0, len(doc.text) + 1)):
        with pytest.raises(ValueError):
            doc.original_span(start, end)


def test_key_table_quote_maps_to_the_file() -> None:
    doc = _seed(SEED_001)
    label = "归属于上市公司股东的净利润950,211,921.88"
    start = doc.text.index(label)
    assert doc.quote(start, start + len(label)) == "归属于上市公司股东的净利润 950,211,921.88"


# --- normalisation -----------------------------------------------------------------------------


def test_fullwidth_punctuation_to_halfwidth() -> None:
    # 000
    text = "上海联影医疗科技股份有限公司（以下简称“联影医疗”或“公司”）积极将 ESG 理念"
    assert (
        normalise_text(text)
        == "上海联影医疗科技股份有限公司(以下简称“联影医疗”或“公司”)积极将ESG理念"
    )
    assert (
        normalise_text("（一）首次授予日：2023 年 8 月 31 日；") == "(一)首次授予日:2023年8月31日;"
    )


def test_fullwidth_digits_letters_and_signs_to_halfwidth() -> None:
    assert normalise_text("未逾期及逾期６个月以内") == "未逾期及逾期6个月以内"  # d02
    assert normalise_text("总数的 25％") == "总数的25%"  # d01
    assert normalise_text("1．宏观经济波动风险") == "1.宏观经济波动风险"  # d01
    assert normalise_text("本次发行Ａ股－１２．５") == "本次发行A股-12.5"
    assert normalise_text("−0.29") == "-0.29"  # U+2212
    assert normalise_text("人民币\u3000千元") == "人民币千元"  # ideographic space


def test_page_furniture_of_the_277_page_seed_removed() -> None:
    doc = _seed(SEED_001)
    assert doc.furniture.page_totals == frozenset({"277"})
    assert "2024 年半年度报告" in doc.furniture.headers
    assert "/ 277" not in doc.text and "/277" not in doc.text
    # the non-recurring table is cut by a page break in the middle of a row
    snippet = (
        "除同公司正常经营业务相关的有效套期保值 59,253,612.73 11 / 277 2024 年半年度报告 "
        "业务外,非金融企业持有金融资产和金融负"
    )
    expected = (
        "除同公司正常经营业务相关的有效套期保值 59,253,612.73 业务外,非金融企业持有金融资产和金融负"
    )
    assert normalise_text(snippet, doc.furniture) == normalise_text(expected)
    assert normalise_text(expected) in doc.text


def test_page_furniture_not_removed_from_ordinary_ratios() -> None:
    doc = _seed(SEED_001)
    # a date or a ratio that is not a page counter of this document stays
    text = "截至 2024/6/30 比例 3 / 4"
    assert normalise_text(text, doc.furniture) == normalise_text(text) == "截至2024/6/30比例3 / 4"


def test_title_kept_where_no_page_number_precedes_it() -> None:
    doc = _seed(SEED_001)
    assert doc.text.startswith("2024年半年度报告公司代码:688271")


def test_html_table_markup_removed() -> None:
    # 002 (OCR markdown with HTML tables)
    html = (
        '<table border="1" data-bbox="129 1290 1007 1783"> <thead> <tr> '
        '<th rowspan="2">归属期</th> <th rowspan="2">对应考核年度</th> '
        '<th colspan="2">营业收入增长率 (A) (以 2022 年为基数)</th> '
        "</tr> <tr> <th>目标值 (Am)</th> <th>触发值 (An)</th> </tr> </thead> <tbody> <tr> "
        "<td>第一个归属期</td> <td>2023</td> <td>20.00%</td> <td>16.00%</td> </tr>"
    )
    text = Document.from_text(html).text
    assert "<" not in text and ">" not in text and "bbox" not in text
    assert "第一个归属期2023 20.00% 16.00%" in text


def test_html_paragraph_markup_removed() -> None:
    # 002
    html = (
        "<p>(四) 满足公司层面业绩考核要求</p> <p>首次授予部分的第一个归属期考核公司 2023 年业绩。</"
        "p>"
    )
    text = Document.from_text(html).text
    assert "<" not in text and "p>" not in text
    assert "(四)满足公司层面业绩考核要求" in text
    assert "首次授予部分的第一个归属期考核公司2023年业绩。" in text


def test_latex_noise_removed() -> None:
    # 002: "营业收入（Y）\t$Y \\geq Y_{2022} \\times (1+A_m)$\tX=100%"
    text = normalise_text("营业收入（Y）\t$Y \\geq Y_{2022} \\times (1+A_m)$\tX=100%")
    assert "$" not in text and "\\" not in text
    assert "Y ≥ Y2022" in text and "× (1+A_m)" in text
    assert text.endswith("X=100%")
    assert normalise_text("$X = 100\\%$") == "X = 100%"


def test_line_break_inside_a_label_joined() -> None:
    # d05 (pdftotext): the label wraps onto the next line
    assert (
        normalise_text("归属于上市公司股东的扣除非\n经常性损益的净利润")
        == "归属于上市公司股东的扣除非经常性损益的净利润"
    )


def test_line_break_between_numbers_kept() -> None:
    assert normalise_text("9,942,854.66\n\n8,969,016.18") == "9,942,854.66\n8,969,016.18"


def test_hk_dollar_sign_kept() -> None:
    # d06: "Final Offer Price\nHK$263.00"; "HK$35,657.2 million"
    assert normalise_text("Final Offer Price\nHK$263.00") == "Final Offer Price\nHK$263.00"
    assert "HK$35,657.2 million" in normalise_text("gross proceeds HK$35,657.2 million less")
    assert normalise_text("US$5") == "US$5"


def test_spaces_next_to_cjk_removed_but_kept_between_numbers() -> None:
    # 001 key table
    text = "营业收入 5,333,486,253.17 5,271,345,801.64 1.18 归属于上市公司股东的净利润"
    assert (
        normalise_text(text)
        == "营业收入5,333,486,253.17 5,271,345,801.64 1.18归属于上市公司股东的净利润"
    )
