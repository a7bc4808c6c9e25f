"""Rules for ``filing.*``: company, code, exchange, type, title, dates, number, currency.

Whole files are checked against eval/gold (read here, never copied); snippets are
verbatim passages of the example filings (see ``test_snippets_are_verbatim``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from gold_support import CORPUS, GOLD_DIR, SEEDS, document, gold, source_of
from shared_files import assert_verbatim

from extract.backends.rules import RulesBackend
from extract.backends.rules.filing import identify_filing
from extract.config import Settings
from extract.core.schema import Filing
from extract.load.document import Document
from extract.pipeline import build_record


def gold_value(stem: str, path: str) -> Any:
    return (gold(stem)["fields"].get(path) or {}).get("value")


def filing_of(doc: Document) -> dict[str, Any]:
    result = RulesBackend().extract(doc, "filing")
    record = build_record(doc, {"filing": result}, Settings(backend="rules"))
    return {k: v for k, v in record.flat_fields().items() if k.startswith("filing.")}


def filing_of_text(text: str) -> dict[str, Any]:
    return {k.removeprefix("filing."): v for k, v in filing_of(Document.from_text(text)).items()}


# --- whole files against the gold -----------------------------------------------------------


def test_every_example_has_gold() -> None:
    assert len(SEEDS) == 5
    for stem in SEEDS + CORPUS:
        assert (GOLD_DIR / f"{stem}.yaml").exists(), stem
        assert source_of(stem).exists()


@pytest.mark.parametrize("stem", SEEDS + CORPUS, ids=lambda s: s[:3])
def test_filing_fields_equal_gold(stem: str) -> None:
    """Every filing field, nulls included (an unlisted field is null in the gold)."""
    expected = {
        f"filing.{name}": gold_value(stem, f"filing.{name}") for name in Filing.model_fields
    }
    assert filing_of(document(stem)) == expected


@pytest.mark.parametrize("stem", SEEDS + CORPUS, ids=lambda s: s[:3])
def test_filing_evidence_quotes_the_file(stem: str) -> None:
    doc = document(stem)
    result = identify_filing(doc)
    for name, found in result.fields.items():
        quote = doc.quote(found.start, found.end)
        assert quote, name
        if name in ("stock_code", "announcement_no"):
            assert found.value in quote


# --- snippets -------------------------------------------------------------------------------

# 004 (pdftotext): the SSE header line and title
SSE_HEAD = (
    "证券代码:688271 证券简称:联影医疗 公告编号:2024-061\n"
    "上海联影医疗科技股份有限公司\n"
    "关于 2023 年限制性股票激励计划首次授予部分\n"
    "第一个归属期符合归属条件的公告\n"
    "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述\n"
)
# 003 (HKEX results announcement)
HKEX_HEAD = (
    "Jiangxi Rimag Group Co., Ltd\n\n江西一脉阳光集团股份有限公司\n\n"
    "(于中华人民共和国注册成立的股份有限公司)\n\n(股份代号:2522)\n\n"
    "截至2025年6月30日止六个月的中期业绩公告\n\n"
    "董事会欣然宣布本集团截至2025年6月30日止六个月的未经审核简明综合中期业\n\n"
    "绩,连同截至2024年6月30日止六个月的比较数字。\n\n财务摘要\n\n截至6月30日止六个月\n\n"
    "2025年2024年同比变动\n\n未经审核未经审核\n\n人民币千元人民币千元\n\n收入467,049413,71312.9%"
)
# d07 (HKEX, Traditional Chinese): masthead and closing signature
HKEX_TRADITIONAL_HEAD = (
    "FOSHAN HAITIAN FLAVOURING AND FOOD COMPANY LTD.\n佛山市海天調味食品股份有限公司\n"
    "（於中華人民共和國註冊成立的股份有限公司）\n\n（股份代號：3288）\n\n"
    "部分行使超額配股權、穩定價格行動及穩定價格期間結束\n部分行使超額配股權\n"
)
HKEX_TRADITIONAL_TAIL = (
    "第8.08(1)(b)條及第19A.13A條的豁免所規定的最低公眾持股量規定。\n"
    "承董事會命\n佛山市海天調味食品股份有限公司\n董事長兼執行董事\n程雪女士\n香港，2025年7月17日\n"
)
# d06 (HKEX, English)
HKEX_ENGLISH_HEAD = (
    "CONTEMPORARY AMPEREX TECHNOLOGY CO., LIMITED /\n寧德時代新能源科技股份有限公司\n"
    "ANNOUNCEMENT OF ALLOTMENT RESULTS\n"
)
HKEX_ENGLISH_CODE = "SUMMARY\nCompany Information\nStock Code\n3750\nStock Short Name\nCATL\n"
HKEX_ENGLISH_TAIL = (
    "By order of the Board\nContemporary Amperex Technology Co.,\nLimited\nMr. Zeng Yuqun\n"
    "Chairman of the Board and executive\nDirector\nHong Kong, May 19, 2025"
)
# 001 (one-line pdftotext): cover and the report's last words
SSE_COVER = (
    "2024 年半年度报告 公司代码:688271 公司简称:联影医疗 上海联影医疗科技股份有限公司 2024 年半年度"
    "报告 1 / 277"
)
SSE_NAME = "公司的中文名称 上海联影医疗科技股份有限公司"
SSE_CLOSE = (
    "4、 其他 □适用 √不适用 董事长:张强 董事会批准报送日期:2024 年 8 月 29 日 修订信息 □适用 √不适"
    "用 277 / 277"
)
# d09 (HTML): the board's dated signature
BANK_SIGNATURE = "中国邮政储蓄银行股份有限公司董事会\n二〇二〇年三月二十五日"
# 000: no code, the listing venue in words
REVIEW_HEAD = (
    "\n上海联影医疗科技股份有限公司 \n\n关于公司 2024 年度提质增效重回报专项行动方案的 \n\n半年度评"
    "估报告 \n\n"
)
STAR_MARKET = "产品性能持续提升、成本持续下降，不断突破科技边界。自 2022 年科创板上市"

SNIPPETS = {
    "examples/filings/004_b26c4ee7e7963a95.txt": [SSE_HEAD],
    "examples/filings/003_de5880db65f9c6a7.txt": [HKEX_HEAD],
    "corpus/d07_haitian_03288_stabilisation_end_2025.txt": [
        HKEX_TRADITIONAL_HEAD,
        HKEX_TRADITIONAL_TAIL,
    ],
    "corpus/d06_catl_03750_allotment_results_2025.txt": [
        HKEX_ENGLISH_HEAD,
        HKEX_ENGLISH_CODE,
        HKEX_ENGLISH_TAIL,
    ],
    "examples/filings/001_815c9fc6d423563f.txt": [SSE_COVER, SSE_NAME, SSE_CLOSE],
    "corpus/d09_psbc_601658_ar2019.html": [BANK_SIGNATURE],
    "examples/filings/000_e5b525805bf4026b.txt": [REVIEW_HEAD, STAR_MARKET],
}


def test_snippets_are_verbatim() -> None:
    assert_verbatim(SNIPPETS)


def test_sse_announcement_header() -> None:
    fields = filing_of_text(SSE_HEAD)
    assert fields["stock_code"] == "688271"
    assert fields["exchange"] == "SSE"
    assert fields["announcement_no"] == "2024-061"
    assert fields["company_name"] == "上海联影医疗科技股份有限公司"
    assert (
        fields["title"] == "关于2023年限制性股票激励计划首次授予部分第一个归属期符合归属条件的公告"
    )
    assert fields["document_type"] == "incentive_announcement"
    assert fields["period_end"] is None  # an event, not a period


def test_hkex_results_announcement_head() -> None:
    fields = filing_of_text(HKEX_HEAD)
    assert fields["stock_code"] == "2522"
    assert fields["exchange"] == "HKEX"
    assert fields["title"] == "截至2025年6月30日止六个月的中期业绩公告"
    assert fields["document_type"] == "results_announcement"
    assert fields["period_end"] == "2025-06-30"
    assert fields["currency"] == "CNY"  # 人民币千元, although listed in Hong Kong
    assert fields["announcement_no"] is None


def test_hkex_company_name_is_not_the_incorporation_note() -> None:
    assert filing_of_text(HKEX_HEAD)["company_name"] == "江西一脉阳光集团股份有限公司"


def test_hkex_traditional_chinese_notice() -> None:
    fields = filing_of_text(HKEX_TRADITIONAL_HEAD + "\n" + HKEX_TRADITIONAL_TAIL)
    assert fields["company_name"] == "佛山市海天調味食品股份有限公司"
    assert fields["stock_code"] == "3288"
    assert fields["exchange"] == "HKEX"
    assert fields["title"] == "部分行使超額配股權、穩定價格行動及穩定價格期間結束"
    assert fields["document_type"] == "other"
    assert fields["publication_date"] == "2025-07-17"


def test_hkex_english_announcement() -> None:
    fields = filing_of_text(
        HKEX_ENGLISH_HEAD + HKEX_ENGLISH_CODE + "Final Offer Price\nHK$263.00\n" + HKEX_ENGLISH_TAIL
    )
    assert fields["stock_code"] == "3750"
    assert fields["exchange"] == "HKEX"
    assert fields["title"] == "ANNOUNCEMENTOFALLOTMENTRESULTS"
    assert fields["document_type"] == "other"
    assert fields["publication_date"] == "2025-05-19"
    assert fields["currency"] == "HKD"


def test_sse_report_labels_and_approval_date() -> None:
    fields = filing_of_text(SSE_COVER + " " + SSE_NAME + " " + SSE_CLOSE)
    assert fields["company_name"] == "上海联影医疗科技股份有限公司"  # the 中文名称 label wins
    assert fields["stock_code"] == "688271"
    assert fields["title"] == "2024年半年度报告"
    assert fields["document_type"] == "interim_report"
    assert fields["period_end"] == "2024-06-30"
    assert fields["publication_date"] == "2024-08-29"


@pytest.mark.xfail(
    strict=True,
    reason="BUG: on the one-line cover '公司简称:联影医疗 上海联影医疗科技股份有限公司' the "
    "abbreviation is glued to the name (spaces beside CJK are removed) and the company "
    "name comes out as '联影医疗上海联影医疗科技股份有限公司'",
)
def test_company_name_not_glued_to_the_short_name() -> None:
    assert filing_of_text(SSE_COVER)["company_name"] == "上海联影医疗科技股份有限公司"


def test_chinese_numeral_signature_date() -> None:
    text = "2019年年度报告\n" + BANK_SIGNATURE
    assert filing_of_text(text)["publication_date"] == "2020-03-25"


def test_exchange_from_words_when_no_code() -> None:
    fields = filing_of_text(REVIEW_HEAD + STAR_MARKET)
    assert fields["stock_code"] is None
    assert fields["exchange"] == "SSE"
    assert fields["company_name"] == "上海联影医疗科技股份有限公司"
    assert fields["title"] == "关于公司2024年度提质增效重回报专项行动方案的半年度评估报告"
    assert fields["document_type"] == "action_plan_review"


@pytest.mark.parametrize(
    ("code", "exchange"),
    [
        ("688271", "SSE"),
        ("601658", "SSE"),
        ("002025", "SZSE"),
        ("300107", "SZSE"),
        ("000570", "SZSE"),
    ],
)
def test_exchange_from_code_prefix(code: str, exchange: str) -> None:
    fields = filing_of_text(f"证券代码:{code} 证券简称:某某 公告编号:2024-001\n")
    assert (fields["stock_code"], fields["exchange"]) == (code, exchange)


def test_not_a_filing_gives_nulls_and_a_warning() -> None:
    # 鲁迅《故乡》(1921): prose, no company, no code
    novel = (
        "我冒了严寒，回到相隔二千余里，别了二十余年的故乡去。时候既然是深冬；渐近故乡时，天气又阴晦"
        "了，"
        "冷风吹进船舱中，呜呜的响，从篷隙向外一望，苍黄的天底下，远近横着几个萧索的荒村，没有一些活"
        "气。"
    )
    result = identify_filing(Document.from_text(novel))
    assert "company_name" not in result.fields and "stock_code" not in result.fields
    assert result.warnings


def test_dates_are_real_dates() -> None:
    result = identify_filing(document("001_815c9fc6d423563f"))
    assert isinstance(result.fields["publication_date"].value, date)
    assert result.fields["period_end"].value == date(2024, 6, 30)


# --- HKEX reports and the issuer among other companies (written in the wild filings' layouts) --


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("Stock Code\nHong Kong Stock Exchange: 717\n", "717"),
        ("Stock Code 股份代號 : 02324\n", "02324"),  # as printed, leading zero kept
        ("Stock code : 6068\n", "6068"),
        ("STOCK CODE\n1678\n", "1678"),
        ("股份代號\n香港聯合交易所：717\n", "717"),
    ],
)
def test_hkex_code_labels_as_reports_print_them(printed: str, code: str) -> None:
    fields = filing_of_text("CORPORATE INFORMATION\n" + printed + "WEBSITE\nwww.example.com\n")
    assert (fields["stock_code"], fields["exchange"]) == (code, "HKEX")


def test_another_companys_code_in_a_directors_biography_is_not_the_issuers() -> None:
    bio = "He is an independent non-executive director of Sample Limited (stock code: 1793).\n"
    text = "ANNUAL REPORT 2021\n" + "Directors' Report\n" * 600 + bio
    assert filing_of_text(text)["stock_code"] is None


def test_a_bank_in_the_top_ten_shareholders_is_not_the_issuer() -> None:
    holder = "中国某某银行股份有限公司－某某医疗健康混合型证券投资基金 境内非国有法人 1,234,567\n"
    text = (
        "证券代码：688999 证券简称：示例生物\n示例生物科技股份公司\n2025 年第一季度报告\n"
        + "本公司董事会及全体董事保证本公告内容不存在任何虚假记载。\n"
        + "前 10 名股东持股情况\n"
        + holder * 6
    )
    assert filing_of_text(text)["company_name"] == "示例生物科技股份公司"


def test_the_board_signs_an_hkex_report_on_a_line_of_its_own() -> None:
    letter = "On behalf of the Board, I would like to thank our shareholders for their support.\n"
    signature = (
        "On behalf of the Board\nChan Tai Man\nExecutive Director\nHong Kong, 29 December 2021\n"
    )
    text = "ANNUAL REPORT 2021\n" + letter + "The year ended 30 September 2021 was difficult.\n" * 3
    text += signature + "INDEPENDENT AUDITOR'S REPORT\n" + "Notes\n" * 2000
    assert filing_of_text(text)["publication_date"] == "2021-12-29"


def test_an_approval_date_printed_before_the_board() -> None:
    text = (
        "2024年年度报告\n"
        + "本财务报表业经公司 2025 年 4 月 22 日第四届第二次董事会批准对外报出。\n"
    )
    assert filing_of_text(text)["publication_date"] == "2025-04-22"


def test_an_hkex_interim_period_is_the_one_its_statements_state() -> None:
    header = "Sample Holdings Limited Interim Report 2024\n"
    statements = "For the six months ended 30 September 2024\nRevenue\n"
    text = "\n\f\n".join(header + f"{n}\n" + statements for n in range(1, 5))
    fields = filing_of_text(text)
    assert (fields["document_type"], fields["period_end"]) == ("interim_report", "2024-09-30")
