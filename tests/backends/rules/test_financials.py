"""Rules for ``financials.*``: key tables, statements, prose; gating; plausibility.

Seeds are checked field by field against eval/gold (loaded here); snippets are verbatim
passages of the example filings (see ``test_snippets_are_verbatim``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import gold_support
import pytest
from gold_support import CORPUS, SEEDS, document, gold, same
from shared_files import WILD_DIR, assert_verbatim, need

from extract.backends.rules import RulesBackend, section_applies
from extract.backends.rules.financials import extract_financials
from extract.load.document import Document, read_document

SECTION = "financials"


def extracted(stem: str) -> tuple[dict[str, Any], bool, tuple[str, ...]]:
    """(flat contract fields of the section, section present, warnings) as the record has them."""
    return gold_support.extracted(SECTION, stem)


def gold_params(stems: list[str], known: dict[tuple[str, str], str]) -> list[Any]:
    return gold_support.gold_params(SECTION, stems, known)


KNOWN: dict[tuple[str, str], str] = {}


# --- whole seed files against the gold ------------------------------------------------------------


@pytest.mark.parametrize(("stem", "path", "want", "tolerance"), gold_params(SEEDS, KNOWN))
def test_seed_field_equals_gold(stem: str, path: str, want: Any, tolerance: float | None) -> None:
    flat, _, _ = extracted(stem)
    assert same(flat[path], want, tolerance), (flat[path], want)


@pytest.mark.parametrize(
    "stem", [s for s in SEEDS if gold(s)["sections"].get(SECTION)], ids=lambda s: s[:3]
)
def test_seed_fields_the_gold_does_not_list_are_null(stem: str) -> None:
    """'any field of it not listed below is null' (eval/gold/README.md)."""
    flat, _, _ = extracted(stem)
    listed = set(gold(stem)["fields"])
    assert {k: v for k, v in flat.items() if k not in listed and v is not None} == {}


@pytest.mark.parametrize("stem", SEEDS + CORPUS, ids=lambda s: s[:3])
def test_section_applies_as_in_gold(stem: str) -> None:
    _, present, _ = extracted(stem)
    assert present is bool(gold(stem)["sections"][SECTION])


def _rounded(figures: str) -> str:
    return (
        "prose fallback stores a rounded figure where the filing prints the exact one in a "
        f"table the reader missed (pdftotext layout): {figures}"
    )


CORPUS_WRONG = {
    "d02_jianxin_300107_ar2019": _rounded(
        "revenue 925,158,500 (prose 万元) vs 925,158,518.22; "
        "net_profit_attributable 325,577,400 vs 325,577,386.27"
    ),
    "d04_changchai_000570_ar2019": _rounded("revenue 2,040,133,700 vs 2,040,133,717.30"),
    "d05_huiwei_002888_ar2019": _rounded(
        "rd_investment 21,799,300 ('2,179.93万元') vs 21,799,347.88"
    ),
}


@pytest.mark.parametrize(
    "stem",
    [
        pytest.param(
            s,
            id=s[:3],
            marks=[pytest.mark.xfail(strict=True, reason=CORPUS_WRONG[s])]
            if s in CORPUS_WRONG
            else [],
        )
        for s in CORPUS
    ],
)
def test_corpus_never_a_wrong_figure(stem: str) -> None:
    """On the harder corpus layouts a figure may be missing, but never wrong."""
    flat, _, _ = extracted(stem)
    fields = gold(stem)["fields"]
    wrong = {
        path: (value, fields[path]["value"])
        for path, value in flat.items()
        if value is not None
        and path in fields
        and fields[path]["value"] is not None
        and not same(value, fields[path]["value"], fields[path].get("tolerance"))
    }
    assert wrong == {}


# --- section gating by document type ------------------------------------------------------


@pytest.mark.parametrize(
    "stem", ["002_daa05ddb4fe6983e", "004_b26c4ee7e7963a95"], ids=["002", "004"]
)
def test_incentive_announcement_has_no_financials(stem: str) -> None:
    doc = document(stem)
    assert not section_applies(doc, SECTION)
    assert not RulesBackend().extract(doc, SECTION).applies
    flat, present, _ = extracted(stem)
    assert not present and all(v is None for v in flat.values())


def test_gating_keeps_the_vesting_test_revenue_out() -> None:
    # 002 quotes FY2023 audited revenue as its vesting condition: a figure the rules can read,
    # which the document type (incentive_announcement) keeps out of the record
    doc = document("002_daa05ddb4fe6983e")
    assert "2023年度公司实现营业收入11,410,765,602.39元" in doc.text
    assert RulesBackend().extract(doc, SECTION).fields == {}


# --- snippets -----------------------------------------------------------------------------

# 001: the SSE key table (one line, label broken around its numbers)
SSE_KEY_TABLE = (
    "六、 公司主要会计数据和财务指标 (一) 主要会计数据 单位:元币种:人民币 本报告期 本报告期比上年 "
    "主要会计数据 上年同期 (1-6月) 同期增减(%) 营业收入 5,333,486,253.17 5,271,345,801.64 1.18 "
    "归属于上市公司股东的净利润 950,211,921.88 937,776,940.87 1.33 归属于上市公司股东的扣除非 "
    "797,934,412.60 786,981,052.34 1.39 经常性损益的净利润 经营活动产生的现金流量净额 "
    "-624,592,418.17 -511,459,688.40 不适用 本报告期末比上 本报告期末 上年度末 年度末增减(%) "
    "归属于上市公司股东的净资产 19,587,828,435.84 18,866,353,649.67 3.82 总资产 "
    "26,704,521,272.10 25,336,140,321.96 5.40 (二) 主要财务指标 本报告期 本报告期比上年同 "
    "主要财务指标 上年同期 (1-6月) 期增减(%) 基本每股收益(元/股) 1.16 1.14 1.75 "
    "稀释每股收益(元/股) 1.16 1.14 1.75 扣除非经常性损益后的基本每股收 0.97 0.95 2.11 "
    "益(元/股) 加权平均净资产收益率(%) 4.93 5.22 降低0.29个百分点 扣除非经常性损益后的加权平均净 "
    "4.14 4.38 降低0.24个百分点 资产收益率(%) 研发投入占营业收入的比例(%) 19.07 17.37 增加1.70个百"
    "分点"
)
# 001: the R&D table (单位:元)
SSE_RD_TABLE = (
    "研发投入情况表 单位:元 本期数 上年同期数 变化幅度(%) 费用化研发投入 826,022,924.17 "
    "885,230,940.23 -6.69 资本化研发投入 191,026,438.65 30,140,712.46 533.78 研发投入合计 "
    "1,017,049,362.82 915,371,652.69 11.11"
)
# 003: the HKEX financial summary (人民币千元, columns run together)
HKEX_SUMMARY = (
    "财务摘要\n\n截至6月30日止六个月\n\n2025年2024年同比变动\n\n未经审核未经审核\n\n"
    "人民币千元人民币千元\n\n收入467,049413,71312.9%\n\n毛利137,246159,659-14.0%\n\n"
    "期内溢利15,8349621,545.9%\n\n本公司拥有人应占期内溢利16,4433,836328.6%\n\n"
    "非国际财务报告准则计量*:\n\nEBITDA135,443114,13218.7%"
)
# 000: figures stated only in rounded prose
REVIEW_PROSE = (
    "为资本市场的高质量发展贡献力量。2024年上半年，公司经营业绩稳健增长，实\n\n"
    "现营业收入 53.33亿元，同比增长 1.18%；归属于上市公司股东的净利润 9.50亿\n\n"
    "元，同比增长 1.33%；归属于母公司所有者的扣除非经常性损益的净利润 7.98亿\n\n元，同比增长 1.39%"
    "。"
)
REVIEW_RD = (
    "2024 年上半年，公司研发投入再创新高。研发总投入 10.17亿元，研发投入\n\n占比 19.07%，同比提升 1"
    ".70个百分点。"
)

# d09 (a bank's annual report as HTML): the key table, in 人民币百万元, with one row for basic
# and diluted EPS and no change column; the chairman's letter states the change
BANK_HEADING = (
    '<p>主要财务数据</p><br/><p>人民币百万元，另有标注除外</p><br/><table border="1"><tr>\n'
    ' <td colspan="1" rowspan="1">项目\n</td> <td colspan="1" rowspan="1">2019 年\n</td> '
    '<td colspan="1" rowspan="1">2018 年\n</td> <td colspan="1" rowspan="1">2017 年\n</td></tr>'
)
BANK_PROFIT_ROW = (
    '<td colspan="1" rowspan="1">净利润\n</td> <td colspan="1" rowspan="1">61,036\n</td> '
    '<td colspan="1" rowspan="1">52,384\n</td> <td colspan="1" rowspan="1">47,709\n</td></tr>'
)
BANK_EPS_ROW = (
    '<td colspan="1" rowspan="1">基本和稀释每股收益(1)\n</td> <td colspan="1" rowspan="1">0.72\n'
    '</td> <td colspan="1" rowspan="1">0.62\n</td> <td colspan="1" rowspan="1">0.59\n</td></tr>'
)
BANK_PROSE = "实现净利润610.36亿元，同比增长16.52%，净资产收益率达到13.10%，"
BANK_TABLE = f"{BANK_HEADING}\n<tr>\n {BANK_EPS_ROW}\n<tr>\n {BANK_PROFIT_ROW}</table>"

SNIPPETS = {
    "corpus/d09_psbc_601658_ar2019.html": [
        BANK_HEADING,
        BANK_PROFIT_ROW,
        BANK_EPS_ROW,
        BANK_PROSE,
    ],
    "examples/filings/001_815c9fc6d423563f.txt": [SSE_KEY_TABLE, SSE_RD_TABLE],
    "examples/filings/003_de5880db65f9c6a7.txt": [HKEX_SUMMARY],
    "examples/filings/000_e5b525805bf4026b.txt": [REVIEW_PROSE, REVIEW_RD],
}


def test_snippets_are_verbatim() -> None:
    assert_verbatim(SNIPPETS)


def values(text: str) -> tuple[dict[str, Any], list[str]]:
    result = extract_financials(Document.from_text(text))
    return {k: v.value for k, v in result.fields.items()}, result.warnings


def test_sse_key_table() -> None:
    got, warnings = values(SSE_KEY_TABLE)
    assert got["revenue.value"] == 5333486253.17
    assert got["revenue.prior"] == 5271345801.64
    assert got["revenue.change_pct"] == 1.18
    assert got["net_profit_attributable_deducted.value"] == 797934412.60  # broken label
    assert got["net_profit_attributable_deducted.change_pct"] == 1.39
    assert got["operating_cash_flow.value"] == -624592418.17
    assert got["operating_cash_flow.prior"] == -511459688.40
    assert "operating_cash_flow.change_pct" not in got  # 不适用
    assert got["total_assets.change_pct"] == 5.40
    assert got["basic_eps.value"] == 1.16 and got["diluted_eps.prior"] == 1.14
    assert got["basic_eps_deducted.value"] == 0.97
    assert got["weighted_roe.change_pp"] == -0.29 and "weighted_roe.change_pct" not in got
    assert got["weighted_roe_deducted.change_pp"] == -0.24
    assert got["rd_ratio.value"] == 19.07 and got["rd_ratio.change_pp"] == 1.70
    assert warnings == []


def test_key_table_evidence_points_at_the_printed_figure() -> None:
    doc = Document.from_text(SSE_KEY_TABLE)
    result = extract_financials(doc)
    for path, printed in (
        ("revenue.value", "5,333,486,253.17"),
        ("net_profit_attributable_deducted.prior", "786,981,052.34"),
        ("weighted_roe.change_pp", "降低0.29个百分点"),
    ):
        found = result.fields[path]
        assert doc.quote(found.start, found.end) == printed


def test_hkex_summary_in_thousands() -> None:
    got, _ = values(HKEX_SUMMARY)
    assert got["revenue.value"] == 467049000 and got["revenue.prior"] == 413713000
    assert got["revenue.change_pct"] == 12.9
    assert got["gross_profit.change_pct"] == -14.0
    assert got["profit_for_period.value"] == 15834000 and got["profit_for_period.prior"] == 962000
    assert got["profit_for_period.change_pct"] == 1545.9
    assert got["net_profit_attributable.value"] == 16443000
    assert got["ebitda.value"] == 135443000 and got["ebitda.change_pct"] == 18.7


def test_rounded_prose_figures() -> None:
    got, _ = values(REVIEW_PROSE + "\n\n" + REVIEW_RD)
    assert got["revenue.value"] == 5333000000
    assert got["revenue.change_pct"] == 1.18
    assert got["net_profit_attributable.value"] == 950000000
    assert got["net_profit_attributable.change_pct"] == 1.33
    assert got["rd_investment.value"] == 1017000000
    assert got["rd_ratio.value"] == 19.07
    assert got["rd_ratio.change_pp"] == 1.70
    assert not any(k.endswith(".prior") for k in got)  # prose states no prior figures


def test_table_wins_over_prose() -> None:
    got, _ = values(SSE_KEY_TABLE + " " + SSE_RD_TABLE + "\n" + REVIEW_RD)
    assert got["rd_investment.value"] == 1017049362.82
    assert got["rd_investment.prior"] == 915371652.69
    assert got["rd_investment.change_pct"] == 11.11


def test_implausible_unit_is_dropped_with_a_warning() -> None:
    # the R&D table of 001 as if mislabelled 单位:万元: 1,017,049,362.82 万元 is 10,000× the
    # yuan figure and ~1,900× revenue — the unit header is wrong, so no figure at all
    mislabelled = SSE_RD_TABLE.replace("单位:元", "单位:万元")
    got, warnings = values(SSE_KEY_TABLE + " " + mislabelled)
    assert not any(k.startswith("rd_investment.") for k in got)
    assert any("rd_investment" in w and "implausible" in w for w in warnings)
    assert got["revenue.value"] == 5333486253.17  # the rest stays


def test_plausible_units_are_kept() -> None:
    got, warnings = values(SSE_KEY_TABLE + " " + SSE_RD_TABLE)
    assert got["rd_investment.value"] == 1017049362.82
    assert not any("implausible" in w for w in warnings)


# 003 (HKEX MD&A): two periods' figures in one sentence, the earlier year named first
PAIRED_YEARS = (
    "截至2024年及2025年6月30日止六个月,我们录得经营活动所得现金净额分别约为"
    "人民币34.1百万元及人民币93.0百万元。"
)


def test_paired_years_sentence_gives_the_later_year_as_value() -> None:
    from extract.backends.rules.prose import paired_years

    assert PAIRED_YEARS in document("003_de5880db65f9c6a7").text
    found = {k: v.value for k, v in paired_years(PAIRED_YEARS).items()}
    assert found == {
        "operating_cash_flow.value": 93_000_000,
        "operating_cash_flow.prior": 34_100_000,
    }


def test_one_row_for_basic_and_diluted_eps_gives_both() -> None:
    got, _ = values(BANK_TABLE)
    assert (got["basic_eps.value"], got["basic_eps.prior"]) == (0.72, 0.62)
    assert (got["diluted_eps.value"], got["diluted_eps.prior"]) == (0.72, 0.62)


def test_a_change_stated_in_prose_is_taken_when_value_and_prior_confirm_it() -> None:
    got, _ = values(BANK_TABLE + "\n" + BANK_PROSE)
    assert (got["profit_for_period.value"], got["profit_for_period.prior"]) == (61036e6, 52384e6)
    assert got["profit_for_period.change_pct"] == 16.52  # (61,036 − 52,384) / 52,384 = 16.517%
    assert "profit_for_period.change_pct" not in values(BANK_TABLE)[0]  # not computed


def test_a_prose_change_the_figures_do_not_give_is_not_taken() -> None:
    other = BANK_PROSE.replace("16.52%", "12.30%")  # another year's, or a segment's
    got, _ = values(BANK_TABLE + "\n" + other)
    assert "profit_for_period.change_pct" not in got


# w036 (HKEX annual report, Traditional Chinese): the statement's gross profit, and the
# management discussion stating its change by the amount first, the line wrapping before 元;
# then the margin's change, which is no change of the gross profit
HKEX_GROSS_PROFIT = """綜合損益及其他全面收益表
截至十二月三十一日止年度 二零二二年 二零二一年
人民幣千元 人民幣千元
收益 21,718,371 20,785,542
毛利 3,314,344 3,294,795
"""
HKEX_GROSS_PROFIT_PROSE = (
    "毛利及毛利率本集團來自持續經營業務的毛利由二零二一年度約人民幣3,294,795,000元輕微增加約人民幣"
    "19,549,000\n元或1%至二零二二年度約人民幣3,314,344,000元。"
)
HKEX_MARGIN_PROSE = "毛利率由二零二一年度的16%減少至二零二二年度的\n15%。"


def test_a_change_stated_by_its_amount_first_is_taken_when_the_figures_confirm_it() -> None:
    got, _ = values(HKEX_GROSS_PROFIT + HKEX_GROSS_PROFIT_PROSE)
    assert got["gross_profit.change_pct"] == 1  # 3,314,344 / 3,294,795 − 1 = 0.59%
    assert "gross_profit.change_pct" not in values(HKEX_GROSS_PROFIT + HKEX_MARGIN_PROSE)[0]


# the same report's revenue: the group's 收入 in the discussion, wrapped after 或
HKEX_REVENUE_PROSE = (
    "財務回顧收入本集團來自持續經營業務的收入由二零二一年度約人民幣20,785,542,000元增加約人民幣"
    "932,829,000元或\n4%至二零二二年度約人民幣21,718,371,000元。"
)


def test_the_groups_revenue_change_in_the_discussion_is_taken_when_confirmed() -> None:
    got, _ = values(HKEX_GROSS_PROFIT + HKEX_REVENUE_PROSE)
    assert got["revenue.change_pct"] == 4  # 21,718,371 / 20,785,542 − 1 = 4.49%
    other = HKEX_REVENUE_PROSE.replace("或\n4%", "或\n7%")  # a figure they do not give
    assert "revenue.change_pct" not in values(HKEX_GROSS_PROFIT + other)[0]


# w011 (SZSE interim report): the R&D ratio only in the business review's prose
RD_RATIO_PROSE = "2025年上半年研发投入2.86亿元,占营业收入比例8.96%。"


def test_an_rd_ratio_in_prose_is_taken_when_spending_and_revenue_give_it() -> None:
    from extract.backends.rules.prose import confirmed_rd_ratio

    rd, revenue = Decimal("285748241.70"), Decimal("3188306524.43")
    found = confirmed_rd_ratio(RD_RATIO_PROSE, rd, revenue)
    assert found is not None and found.value == 8.96
    assert confirmed_rd_ratio(RD_RATIO_PROSE, rd, revenue * 2) is None  # another base's
    assert (
        RD_RATIO_PROSE
        in read_document(need(WILD_DIR / "w011_kailaiying_002821_h1_2025H1.pdf")).text
    )


def test_the_hkex_change_sentences_are_verbatim_in_the_filing() -> None:
    text = read_document(need(WILD_DIR / "w036_fullshare_00607_ar_FY2022.pdf")).text
    for snippet in (HKEX_GROSS_PROFIT_PROSE, HKEX_MARGIN_PROSE, HKEX_REVENUE_PROSE):
        assert snippet in text, snippet[:20]
