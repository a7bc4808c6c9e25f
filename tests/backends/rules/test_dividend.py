"""Rules for ``dividend.*``: the plan sentence, refusals, the SZSE plan table, payout ratio.

Whole files (seeds and corpus) are checked field by field against eval/gold (loaded
here); snippets are verbatim passages of the example filings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gold_support
import pytest
from gold_support import CORPUS, SEEDS, gold, same
from shared_files import WILD_DIR, assert_verbatim, need

from extract.backends.rules.dividend import extract_dividend
from extract.load.document import Document, read_document

SECTION = "dividend"


def extracted(stem: str) -> tuple[dict[str, Any], bool]:
    flat, present, _ = gold_support.extracted(SECTION, stem)
    return flat, present


def applicable(stems: list[str]) -> list[str]:
    return gold_support.applicable(SECTION, stems)


def gold_params(stems: list[str], known: dict[tuple[str, str], str]) -> list[Any]:
    return gold_support.gold_params(SECTION, stems, known)


_TOTAL_OUT_OF_WINDOW = (
    "total cash is stated only in 第五节, far from the front-page plan sentence the "
    "fields are looked for around (window of 250 characters)"
)
KNOWN = {
    ("d01_hangtian_002025_ar2019", "dividend.total_cash"): _TOTAL_OUT_OF_WINDOW,
    ("d02_jianxin_300107_ar2019", "dividend.payout_ratio"): (
        "the three-year table (现金分红情况表) is not read from d02's pdftotext layout"
    ),
}


# --- whole files against the gold ---------------------------------------------------------------


@pytest.mark.parametrize(("stem", "path", "want", "tolerance"), gold_params(SEEDS + CORPUS, KNOWN))
def test_field_equals_gold(stem: str, path: str, want: Any, tolerance: float | None) -> None:
    flat, _ = extracted(stem)
    assert same(flat[path], want, tolerance), (flat[path], want)


@pytest.mark.parametrize("stem", applicable(SEEDS), ids=lambda s: s[:3])
def test_seed_fields_the_gold_does_not_list_are_null(stem: str) -> None:
    flat, _ = extracted(stem)
    listed = set(gold(stem)["fields"])
    assert {k: v for k, v in flat.items() if k not in listed and v is not None} == {}


@pytest.mark.parametrize("stem", SEEDS + CORPUS, ids=lambda s: s[:3])
def test_section_applies_as_in_gold(stem: str) -> None:
    _, present = extracted(stem)
    assert present is bool(gold(stem)["sections"][SECTION])


@pytest.mark.parametrize(
    "stem", ["d04_changchai_000570_ar2019", "003_de5880db65f9c6a7"], ids=["d04", "003"]
)
def test_declared_false_and_nothing_else(stem: str) -> None:
    """d04: 计划不派发现金红利…; 003 (HKEX): 董事会不建议派付报告期内的任何中期股息。"""
    assert gold(stem)["fields"]["dividend.declared"]["value"] is False
    flat, present = extracted(stem)
    assert present
    assert flat["dividend.declared"] is False
    assert all(v is None for k, v in flat.items() if k != "dividend.declared")


# --- snippets -------------------------------------------------------------------------------------

# 001 (重要提示 六): the interim plan; the base is not stated as a number ("以此为基数计算")
SSE_PLAN = (
    "公司拟以实施权益分派股权登记日登记的总股本扣减回购专用证券账户中股份总数为基数, "
    "每10股派发现金红利人民币1.20元(含税),本次利润分配不送红股,不以公积金转增股本。截 "
    "至2024年7月31日,公司总股本为824,157,988股,扣减回购专用证券账户中股份总数5,205,476股 "
    ",以此为基数计算,合计拟派发现金红利98,274,301.44元(含税),占2024年半年度合并报表中 "
    "归属于上市公司股东净利润的10.34%。"
)
# d03 front page: the base printed without separators
SZSE_PLAN_NO_SEPARATORS = (
    "公司经本次董事会审议通过的利润分配预案为：以 1599442537 为基数，向\n"
    "全体股东每 10 股派发现金红利 2.35 元（含税），送红股 0 股（含税），不以公积\n金转增股本。"
)
# d03 第五节: the plan table as pdftotext prints it (each value BEFORE its label)
SZSE_PLAN_TABLE_VALUE_FIRST = (
    "二、本报告期利润分配及资本公积金转增股本情况\n0\n\n每 10 股送红股数（股）\n\n2.35\n\n"
    "每 10 股派息数（元）（含税）\n\n0\n\n每 10 股转增数（股）\n1599442537\n\n分配预案的股本基数（"
    "股）\n\n"
    "375,868,996.20\n\n现金分红金额（元）（含税）\n\n0.00\n\n以其他方式（如回购股份）现金分红金额（"
    "元）"
)
# d02 front page, and its 第五节 recalling LAST year's plan
SZSE_PLAN_D02 = (
    "公司经本次董事会审议通过的利润分配预案为：以 549,618,522 为基数，向\n全体股东每 10 股派发现金"
    "红利 "
    "6 元（含税），送红股 0 股（含税）\n，以资本公积\n金向全体股东每 10 股转增 0 股。"
)
LAST_YEARS_PLAN_D02 = (
    "经2019年3月13日公司第四届董事会第十六次会议及2019年4月10日公司2018年年度股东大会审议通过的"
    "《关于公司2018年度\n利润分配的预案》，公司2018年度利润分配预案为：以2019年2月28日公司总股本"
    "548,130,398股为基数，按每10股派发现金\n红利3.00元（含税），合计派发现金红利164,438,891.99元。"
    "现金分红事项已在规定时间内完成。"
)
# d02 第五节: the ChiNext template heads the plan table 本年度… (not 本报告期…)
CHINEXT_PLAN_TABLE_D02 = (
    "本年度利润分配及资本公积金转增股本情况\n每 10 股送红股数（股）\n\n0\n\n每 10 股派息数（元）\n"
    "（含税）\n\n6\n\n每 10 股转增数（股）\n\n0\n\n分配预案的股本基数（股）\n\n549,618,522\n\n"
    "现金分红金额（元）（含税）\n\n329,771,113.20\n"
)
# d04: no distribution
SZSE_NONE = (
    "公司经本次董事会审议通过的利润分配预案为：以 561,374,326 为基数，公\n"
    "司计划不派发现金红利，不送红股，不以公积金转增股本。"
)
# 003 (HKEX)
HKEX_NONE = "中期股息\n\n董事会不建议派付报告期内的任何中期股息。"
# d09 (HTML, bank): per 10 shares with three decimals, base = total share capital
BANK_PLAN = (
    "备121.66亿元；以本行总股本86,978,562,200股普通股为基数，向股权登记日\n"
    "登记在册的全部普通股股东派发现金股利，每10股普通股派发人民币2.102元\n"
    "（含税），合计人民币182.83亿元（含税）"
)
# d09: the three-year table, years as columns (cash, profit, ratio as rows)
BANK_PAYOUT_TABLE = """近三年普通股现金分红情况如下表：</p><br/><table border="1"><tr>
 <td colspan="1" rowspan="1">项目
</td> <td colspan="1" rowspan="1">2019 年
</td> <td colspan="1" rowspan="1">2018 年
</td> <td colspan="1" rowspan="1">2017 年
</td></tr>
<tr>
 <td colspan="1" rowspan="1">每 10 股派息金额（含税，人民币元）
</td> <td colspan="1" rowspan="1">2.102
</td> <td colspan="1" rowspan="1">1.937
</td> <td colspan="1" rowspan="1">1.471
</td></tr>
<tr>
 <td colspan="1" rowspan="1">现金分红（含税，人民币百万元）
</td> <td colspan="1" rowspan="1">18,283
</td> <td colspan="1" rowspan="1">15,696
</td> <td colspan="1" rowspan="1">11,920
</td></tr>
<tr>
 <td colspan="1" rowspan="1">合并报表中归属于银行股东的净利润
（人民币百万元）
</td> <td colspan="1" rowspan="1">60,933
</td> <td colspan="1" rowspan="1">52,311
</td> <td colspan="1" rowspan="1">47,683
</td></tr>
<tr>
 <td colspan="1" rowspan="1">现金分红比例(1)（%)
</td> <td colspan="1" rowspan="1">30%
</td> <td colspan="1" rowspan="1">30%
</td> <td colspan="1" rowspan="1">25%
</td></tr>
</table>"""

SNIPPETS = {
    "examples/filings/001_815c9fc6d423563f.txt": [SSE_PLAN],
    "corpus/d03_huajin_000059_ar2019.txt": [
        SZSE_PLAN_NO_SEPARATORS,
        SZSE_PLAN_TABLE_VALUE_FIRST,
    ],
    "corpus/d02_jianxin_300107_ar2019.txt": [
        SZSE_PLAN_D02,
        LAST_YEARS_PLAN_D02,
        CHINEXT_PLAN_TABLE_D02,
    ],
    "corpus/d04_changchai_000570_ar2019.txt": [SZSE_NONE],
    "examples/filings/003_de5880db65f9c6a7.txt": [HKEX_NONE],
    "corpus/d09_psbc_601658_ar2019.html": [BANK_PLAN, BANK_PAYOUT_TABLE],
}


def test_snippets_are_verbatim() -> None:
    assert_verbatim(SNIPPETS)


def values(text: str) -> tuple[dict[str, Any], list[str]]:
    result = extract_dividend(Document.from_text(text))
    return {k: v.value for k, v in result.fields.items()}, result.warnings


def test_sse_interim_plan() -> None:
    got, warnings = values(SSE_PLAN)
    assert got == {
        "declared": True,
        "cash_per_10_shares": 1.20,
        "bonus_shares_per_10": 0,
        "transfer_shares_per_10": 0,
        "total_shares": 824157988,
        "excluded_treasury_shares": 5205476,
        "total_cash": 98274301.44,
        "payout_ratio": 10.34,
    }  # no share_base: "以此为基数计算" states no number
    assert warnings == []  # 1.20 × (824,157,988 − 5,205,476) / 10 = 98,274,301.44


def test_base_without_separators() -> None:
    got, _ = values(SZSE_PLAN_NO_SEPARATORS)
    assert got["share_base"] == 1599442537
    assert got["cash_per_10_shares"] == 2.35
    assert got["bonus_shares_per_10"] == 0 and got["transfer_shares_per_10"] == 0


def test_plan_table_printed_value_first_is_never_read_shifted() -> None:
    # read label → next number, this table would give share_base 375,868,996 and total_cash 0
    got, _ = values(SZSE_PLAN_NO_SEPARATORS + "\n" + SZSE_PLAN_TABLE_VALUE_FIRST)
    assert got["cash_per_10_shares"] == 2.35
    assert got["share_base"] == 1599442537
    assert got.get("total_cash") in (None, 375868996.20)
    assert got.get("bonus_shares_per_10") == 0 and got.get("transfer_shares_per_10") == 0


def test_integer_rate_per_10_shares() -> None:
    got, _ = values(SZSE_PLAN_D02)
    assert got["cash_per_10_shares"] == 6.0
    assert got["share_base"] == 549618522
    assert got["transfer_shares_per_10"] == 0


def test_total_shares_not_taken_from_last_years_plan() -> None:
    got, _ = values(SZSE_PLAN_D02 + "\n" + LAST_YEARS_PLAN_D02)
    assert got.get("total_shares") in (None, 549618522)


def test_no_distribution() -> None:
    got, _ = values(SZSE_NONE)
    assert got == {"declared": False}


def test_hkex_no_interim_dividend() -> None:
    got, _ = values(HKEX_NONE)
    assert got == {"declared": False}


def test_refusal_after_the_plan_is_a_recalled_year() -> None:
    # the first statement is the filing's own; a later "不进行利润分配" recalls another year
    got, _ = values(
        SZSE_PLAN_NO_SEPARATORS + "\n2017 年度公司不进行利润分配，不进行公积金转增股本。"
    )
    assert got["declared"] is True and got["cash_per_10_shares"] == 2.35


def test_bank_plan() -> None:
    got, _ = values(BANK_PLAN)
    assert got["declared"] is True
    assert got["cash_per_10_shares"] == 2.102
    assert got["total_shares"] == 86978562200
    assert got["share_base"] == 86978562200


def test_no_plan_no_section() -> None:
    result = extract_dividend(
        Document.from_text(
            "董事会欣然宣布本集团截至2025年6月30日止六个月的未经审核简明综合中期业绩"
        )
    )
    assert not result.applies and result.fields == {}


def test_the_chinext_plan_table_gives_the_total_cash() -> None:
    result = extract_dividend(Document.from_text(SZSE_PLAN_D02 + "\n" + CHINEXT_PLAN_TABLE_D02))
    values = {k: v.value for k, v in result.fields.items()}
    assert values["total_cash"] == 329_771_113.20
    assert (values["cash_per_10_shares"], values["share_base"]) == (6, 549_618_522)


def test_the_payout_table_reads_figures_with_a_space_after_the_decimal_point() -> None:
    """d02's PDF text layer prints 329,771,113. 20: the ratio is still confirmed by cash ÷
    profit (the three-year table as the PDF gives it)."""
    table = (
        "公司近三年(包括本报告期)普通股现金分红情况表单位:元分红年度现金分红金额(含税)\n"
        "2019年\n329,771,113. 20\n325,577,386. 27\n101.29% 0.00 0.00%\n"
    )
    result = extract_dividend(Document.from_text(SZSE_PLAN_D02 + "\n" + table))
    assert result.fields["payout_ratio"].value == 101.29


# --- the exchanges' notice wordings (invented figures) ----------------------------------------

NOTICE_HEAD = "证券代码：600000 证券简称：示例股份 公告编号：2024-037\n示例股份有限公司\n"


def notice_values(title: str, body: str) -> dict[str, Any]:
    """A dividend notice (its title makes it one): the whole notice is about its plan."""
    result = extract_dividend(Document.from_text(NOTICE_HEAD + title + "\n" + body))
    return {k: v.value for k, v in result.fields.items()}


def test_a_notice_states_its_base_far_from_its_rate() -> None:
    got = notice_values(
        "2024年年度利润分配方案公告",
        "重要内容提示：\n● 每股分配比例：A股每股派发现金红利0.30元（含税）。\n"
        + "一、利润分配方案内容\n" * 30
        + "截至2025年3月31日，公司总股本400,000,000股，扣减回购专用证券账户中股份总数"
        "4,123,456股，以此计算合计拟派发现金红利118,762,963.20元（含税）。"
        "本年度公司现金分红比例为35.12%。",
    )
    assert got["cash_per_10_shares"] == 3.0
    assert (got["total_shares"], got["excluded_treasury_shares"]) == (400000000, 4123456)
    assert got["total_cash"] == 118762963.20 and got["payout_ratio"] == 35.12


def test_a_base_after_the_repurchased_shares_are_taken_out() -> None:
    got, _ = values(
        "以公司现有总股本剔除已回购股份3,569,701股后的762,192,339股为基数，向全体股东每10股派"
        "2.391867元人民币现金（含税）。按总股本（含回购股份）折算的每10股现金股利（含税）="
        "2.380716元。"
    )
    assert got["cash_per_10_shares"] == 2.391867
    assert (got["excluded_treasury_shares"], got["share_base"]) == (3569701, 762192339)


def test_per_share_distribution_and_transfer_are_stored_per_ten_shares() -> None:
    got = notice_values(
        "2024年年度利润分配及资本公积金转增股本方案公告",
        "公司拟向全体股东每股派发现金红利0.125元（含税）。公司拟以资本公积金向全体股东每股转增"
        "0.4股。不送红股。",
    )
    assert (got["cash_per_10_shares"], got["transfer_shares_per_10"]) == (1.25, 4)
    assert got["bonus_shares_per_10"] == 0


def test_differentiated_distribution_of_an_implementation_notice() -> None:
    got = notice_values(
        "2023年年度权益分派实施公告",
        "公司拟以本次利润分配的股权登记日可参与利润分配的总股数为基数，向全体股东每股分配现金股利"
        "0.40元（含税）。公司总股本为2,149,973,551股，扣除回购专户上已回购股份22,309,075股，本次"
        "实际参与分配的股本数为2,127,664,476股，派发现金红利金额为851,065,790.40元（含税）。"
        "每股现金红利=（2,127,664,476×0.40）÷2,149,973,551≈0.3958元/股。",
    )
    assert got["cash_per_10_shares"] == 4.0
    assert got["share_base"] == 2127664476 and got["excluded_treasury_shares"] == 22309075
    assert got["total_cash"] == 851065790.40


# --- plans of the periodic-report templates (wild filings, as the loader normalises them) --------

# STAR annual report: the base stated as total minus the repurchase account's shares
STAR_BASE_AFTER_EXCLUSION = (
    "公司2024年度利润分配方案拟以实施权益分派时股权登记日登记的总股本扣减公司回购专用证券账户中的"
    "股份为基数,每10股派发现金红利0.6元(含税)。截至2025年4月24日,公司总股本400,680,000股,扣减回购"
    "专用证券账户中的1,238,700股后为399,441,300股。以此计算合计拟派发现金红利总额23,966,478.00元"
    "(含税),占公司2024年度归属于上市公司股东净利润的46.67% 。"
)
# STAR annual report: the total share capital is the base (以此计算), 归属 without 于
STAR_BASE_IS_TOTAL = (
    "拟向全体股东每10股派发现金红利1.69元(含税),截至2024年12月31日,公司总股本为413,657,598股,"
    "以此计算合计拟派发现金红利69,908,134.06元(含税),占公司\n2024年度合并报表归属上市公司股东净利润"
    "的比例"
)
# ChiNext annual report: the repurchase account's holding
CHINEXT_TREASURY_HELD = (
    "截至本报告出具日,公司总股本为66,519,431股,公司回购专用证券账户持有352,500股股份,"
    "分配预案的股本基数\n66,166,931股为总股本剔除公司回购专用证券账户持有"
)
# the CSRC interim template's table, and an HKEX annual report in English
INTERIM_NONE = (
    "三、利润分配或资本公积金转增预案半年度拟定的利润分配预案、公积金转增股本预案是否分配或转增否"
)
HKEX_ENGLISH_NONE = (
    "The Board did not recommend any payment of final dividend\n"  # (a line of its own)
    "for the year ended 30 September 2021"
)
# an HKEX annual report: no final dividend, but a special one declared for the same year
HKEX_FINAL_REFUSED = (
    "The Board does not recommend the payment of a final dividend for year ended 31 August 2021."
)
HKEX_SPECIAL_DECLARED = (
    "the directors of the Company declared a special dividend in respect\n"
    "of the year ended 31 August 2021 of RMB0.106 per share"
)
# an HKEX interim report whose PDF draws its lines right to left, as the loader reads it (in
# reading order) and as a text taken in the PDF's drawing order has it (the line's 。 opens
# the next)
HKEX_INTERIM_NONE = "董事會已議決不就截至二零二三年及二零二二年六月三十日止六個月宣派任何中期股息。"
HKEX_RTL_NONE = "董事會已議決不就截至二零二三年及二零二二年六月三十日止六個月宣派任\n。何中期股息"

WILD_SNIPPETS = {
    "w006_chengduxiandao_688222_ar_2024.pdf": [STAR_BASE_AFTER_EXCLUSION],
    "w008_baikeshengwu_688276_ar_2024.pdf": [STAR_BASE_IS_TOTAL],
    "w018_maipuyixue_301033_ar_2024.pdf": [CHINEXT_TREASURY_HELD],
    "w003_zhaoyanxinyao_603127_h1_2024H1.pdf": [INTERIM_NONE],
    "w030_emperorcapital_00717_ar_FY2021.pdf": [HKEX_ENGLISH_NONE],
    "w032_wisdomeducation_06068_ar_FY2021.pdf": [HKEX_FINAL_REFUSED, HKEX_SPECIAL_DECLARED],
    "w034_fullshare_00607_h1_2023H1.pdf": [HKEX_INTERIM_NONE],
}


@pytest.mark.parametrize("name", sorted(WILD_SNIPPETS))
def test_wild_snippets_are_verbatim_in_the_normalised_text(name: str) -> None:
    text = read_document(wild_file(name)).text
    for snippet in WILD_SNIPPETS[name]:
        assert snippet in text, snippet[:30]


def test_base_after_excluding_the_repurchase_account() -> None:
    got, warnings = values(STAR_BASE_AFTER_EXCLUSION)
    assert got["total_shares"] == 400680000
    assert got["excluded_treasury_shares"] == 1238700
    assert got["share_base"] == 399441300
    assert got["payout_ratio"] == 46.67
    assert warnings == []  # 0.6 × 399,441,300 / 10 = 23,966,478.00


def test_total_share_capital_as_the_base() -> None:
    got, _ = values(STAR_BASE_IS_TOTAL)
    assert got["share_base"] == 413657598 and got["cash_per_10_shares"] == 1.69


def test_repurchase_account_holding_is_excluded() -> None:
    plan = "向全体股东每10股派发现金红利6.00元(含税)。\n"
    got, _ = values(plan + CHINEXT_TREASURY_HELD)
    assert got["excluded_treasury_shares"] == 352500
    assert got["total_shares"] == 66519431


@pytest.mark.parametrize(
    "text",
    [INTERIM_NONE, HKEX_ENGLISH_NONE, HKEX_INTERIM_NONE, HKEX_RTL_NONE],
    ids=["interim", "hkex-en", "hkex-interim", "hkex-rtl"],
)
def test_templates_saying_no_distribution(text: str) -> None:
    got, _ = values(text)
    assert got == {"declared": False}


def test_no_final_dividend_but_a_special_one_leaves_declared_unknown() -> None:
    """Refusing the final dividend is not "no distribution" when a special dividend is
    declared for the year: declared stays null, with a warning, rather than false."""
    got, warnings = values(HKEX_FINAL_REFUSED + "\n" + "Other matters.\n" + HKEX_SPECIAL_DECLARED)
    assert "declared" not in got
    assert any("declares another" in w for w in warnings)


def test_details_come_from_the_plans_second_statement() -> None:
    # 重要提示 states the rate; the section on distribution restates it with the base
    front = "向全体股东每10股派发现金红利0.6元(含税)。" + "公司经营情况良好。" * 40
    got, _ = values(front + STAR_BASE_AFTER_EXCLUSION)
    assert got["share_base"] == 399441300 and got["payout_ratio"] == 46.67


def test_another_rate_is_another_plan() -> None:
    front = "向全体股东每10股派发现金红利0.8元(含税)。" + "公司经营情况良好。" * 40
    got, _ = values(front + STAR_BASE_AFTER_EXCLUSION)
    assert got["cash_per_10_shares"] == 0.8
    assert "share_base" not in got and "payout_ratio" not in got


def wild_file(name: str) -> Path:
    return need(WILD_DIR / name)


def test_payout_ratio_from_a_three_year_table_read_as_a_grid() -> None:
    doc = Document.from_text(BANK_PLAN + "\n" + BANK_PAYOUT_TABLE)
    found = extract_dividend(doc).fields["payout_ratio"]
    assert found.value == 30  # 2019's column: 18,283 / 60,933
    assert doc.quote(found.start, found.end) == "30%"


def test_payout_ratio_not_taken_when_cash_and_profit_do_not_give_it() -> None:
    table = BANK_PAYOUT_TABLE.replace("18,283", "19,283")
    got, _ = values(BANK_PLAN + "\n" + table)
    assert "payout_ratio" not in got
