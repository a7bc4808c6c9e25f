"""extract.core.numbers and units: numerals, signs, units, percentages, Chinese numerals,
run-together columns.

Fixtures are short passages copied from the example filings (the figures of 001's key
table, 003's HKEX financial summary, 000's prose); property tests cover the rest.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from extract.core.numbers import (
    change_consistent,
    decimals_of,
    find_amounts,
    format_number,
    parse_amount,
    parse_chinese_int,
    parse_number,
    parse_percent,
    parse_points,
    share_consistent,
    split_run_together,
)
from extract.core.units import UNIT_MULTIPLIERS, find_unit_headers
from extract.tables.flat_text import Region, _split_token, read_rows

D = Decimal

# --- parse_number ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("5,333,486,253.17", D("5333486253.17")),  # 001 营业收入
        ("824,157,988", D(824157988)),  # 001 总股本
        ("1599442537", D(1599442537)),  # d03 front page: base without separators
        ("98,274,301.44", D("98274301.44")),
        ("0.046", D("0.046")),  # 003 每股基本盈利
        ("962", D(962)),
        ("1.20", D("1.20")),
    ],
)
def test_parse_number_grouping_and_decimals(printed: str, expected: Decimal) -> None:
    assert parse_number(printed) == expected


def test_parse_number_keeps_printed_precision() -> None:
    value = parse_number("1.20")
    assert value is not None and value.as_tuple().exponent == -2
    assert decimals_of("1.20") == 2 and decimals_of("824,157,988") == 0


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("(26,892)", D(-26892)),  # 003 销售开支(26,892)
        ("（26,892）", D(-26892)),  # full-width parentheses
        ("(329,803)", D(-329803)),
        ("( 1,364 )", D(-1364)),
    ],
)
def test_parse_number_parenthesised_negatives(printed: str, expected: Decimal) -> None:
    assert parse_number(printed) == expected


@pytest.mark.parametrize(
    "printed",
    [
        "-624,592,418.17",  # 001 经营活动产生的现金流量净额, ASCII hyphen-minus
        "−624,592,418.17",  # U+2212 MINUS SIGN
        "－624,592,418.17",  # U+FF0D FULLWIDTH HYPHEN-MINUS
        "–624,592,418.17",  # U+2013 EN DASH
        "﹣624,592,418.17",  # U+FE63 SMALL HYPHEN-MINUS
    ],
)
def test_parse_number_minus_sign_variants(printed: str) -> None:
    assert parse_number(printed) == D("-624592418.17")


@pytest.mark.parametrize(
    "printed",
    ["", "   ", "abc", "1,2345", "12,34", "1.18%", "+5", ".5", "5.", "1.2.3", "增长1.18", "-(5)"],
)
def test_parse_number_rejects_what_is_not_exactly_one_number(printed: str) -> None:
    assert parse_number(printed) is None


# --- parse_amount: every unit -----------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "value", "unit"),
    [
        ("5,333,486,253.17元", D("5333486253.17"), "元"),
        ("467,049千元", D(467049000), "千元"),
        ("2,179.93万元", D(21799300), "万元"),
        ("276,809百万元", D(276809000000), "百万元"),
        ("53.33亿元", D(5333000000), "亿元"),  # 000: 营业收入 53.33亿元
        ("374.19万股", D(3741900), "万股"),  # 002: 首次授予数量 374.19 万股
        ("1,079,160 股", D(1079160), "股"),  # 002: 本次拟归属的限制性股票数量：1,079,160 股
        ("14,217,040港元", D(14217040), "港元"),  # 003: 总代价 14,217,040港元
        ("44.05港元", D("44.05"), "港元"),  # d08: 每股H股44.05港元
        ("436.86百萬港元", D(436860000), "百萬港元"),  # d07: 約436.86百萬港元
        ("9,890.1百萬港元", D(9890100000), "百萬港元"),  # d08: 9,890.1百萬港元
    ],
)
def test_parse_amount_units(printed: str, value: Decimal, unit: str) -> None:
    amount = parse_amount(printed)
    assert amount is not None
    assert amount.value == value
    assert amount.unit == unit


def test_parse_amount_default_multiplier_is_the_table_header_unit() -> None:
    # 003: "收入467,049…" under 人民币千元
    amount = parse_amount("467,049", default_multiplier=D(1000))
    assert amount is not None and amount.value == D(467049000) and amount.raw == D(467049)
    # a unit word overrides the header
    amount = parse_amount("53.33亿元", default_multiplier=D(1000))
    assert amount is not None and amount.value == D(5333000000)


def test_parse_amount_negative_with_unit() -> None:
    amount = parse_amount("(26,892)千元")
    assert amount is not None and amount.value == D(-26892000)


def test_parse_amount_rejects_text() -> None:
    assert parse_amount("营业收入") is None
    assert parse_amount("53.33亿元，同比增长") is None


def test_find_amounts_in_prose() -> None:
    # 000: 回购资金总额不低于 4亿元（含），不超过 8 亿元（含）
    found = [a.value for a in find_amounts("回购资金总额不低于 4亿元（含），不超过 8 亿元（含）")]
    assert found == [D(400000000), D(800000000)]


# --- percentages and points -------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("1.18%", D("1.18")),
        ("-14.0%", D("-14.0")),
        ("12.9％", D("12.9")),
        ("1,545.9%", D("1545.9")),
        ("+26.3%", D("26.3")),  # w032's highlights print a change's sign
        ("–6.2%", D("-6.2")),
    ],
)
def test_parse_percent(printed: str, expected: Decimal) -> None:
    assert parse_percent(printed) == expected


@pytest.mark.parametrize("printed", ["1.18", "增长1.18%", "百分之五", ""])
def test_parse_percent_rejects(printed: str) -> None:
    assert parse_percent(printed) is None


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("增加1.70个百分点", D("1.70")),  # 001 研发投入占营业收入的比例
        ("降低0.29个百分点", D("-0.29")),  # 001 加权平均净资产收益率
        ("降低0.24个百分点", D("-0.24")),
        ("增加 1.7 个百分点", D("1.7")),  # 001 研发投入情况表
        ("提升 1.70个百分点", D("1.70")),  # 000 prose
        ("减少0.5个百分点", D("-0.5")),
        ("下降 1.2 个百分点", D("-1.2")),
    ],
)
def test_parse_points(printed: str, expected: Decimal) -> None:
    assert parse_points(printed) == expected


def test_parse_points_requires_points() -> None:
    assert parse_points("增长 1.18%") is None


# --- Chinese numerals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        ("二〇二〇", 2020),  # d09: 二〇二〇年三月二十五日
        ("二零二四", 2024),
        ("三", 3),
        ("十", 10),
        ("十五", 15),
        ("二十五", 25),
        ("三十一", 31),
        ("一百零五", 105),
        ("两千", 2000),
        ("一万二千", 12000),
        ("三亿五千万", 350000000),
    ],
)
def test_parse_chinese_int(printed: str, expected: int) -> None:
    assert parse_chinese_int(printed) == expected


@pytest.mark.parametrize("printed", ["", "abc", "二十a", "12"])
def test_parse_chinese_int_rejects(printed: str) -> None:
    assert parse_chinese_int(printed) is None


# --- unit headers -----------------------------------------------------------------------


def test_unit_header_sse_yuan() -> None:
    # 001: "(一) 主要会计数据 单位:元币种:人民币 本报告期"
    headers = list(find_unit_headers("(一) 主要会计数据 单位:元币种:人民币 本报告期"))
    assert [h.multiplier for h in headers] == [D(1)]


def test_unit_header_sse_yuan_states_its_currency() -> None:
    headers = list(find_unit_headers("单位:元币种:人民币"))
    assert [h.currency for h in headers] == ["CNY"]


def test_unit_header_hkex_thousands() -> None:
    # 003: "未经审核未经审核\n\n人民币千元人民币千元\n\n收入467,049…" (two columns, two headers)
    headers = list(
        find_unit_headers("未经审核未经审核\n\n人民币千元人民币千元\n\n收入467,049413,71312.9%")
    )
    assert [(h.multiplier, h.currency) for h in headers] == [(D(1000), "CNY")] * 2


def test_unit_header_wan() -> None:
    # 001: "4. 在研项目情况 √适用 □不适用 单位:万元 预计总投资"
    headers = list(find_unit_headers("4. 在研项目情况 √适用 □不适用 单位:万元 预计总投资"))
    assert [(h.multiplier, h.currency) for h in headers] == [(D(10000), None)]


def test_unit_header_span_points_at_the_header() -> None:
    text = "研发投入情况表 单位:元 本期数"
    (header,) = find_unit_headers(text)
    assert text[header.start : header.end] == "单位:元"


@pytest.mark.parametrize(
    ("text", "multiplier", "currency"),
    [
        ("HK$'000", D(1000), "HKD"),
        ("US$'million", D(10) ** 6, "USD"),
        ("(百万港元)", D(10) ** 6, "HKD"),
    ],
)
def test_unit_header_other_currencies(text: str, multiplier: Decimal, currency: str) -> None:
    assert [(h.multiplier, h.currency) for h in find_unit_headers(text)] == [(multiplier, currency)]


def test_unit_header_rmb_thousands() -> None:
    headers = list(find_unit_headers("Six months ended 30 June 2025 RMB'000 RMB'000"))
    assert [(h.multiplier, h.currency) for h in headers] == [(D(1000), "CNY")] * 2


# --- split_run_together -----------------------------------------------------------------


def test_split_run_together_two_columns() -> None:
    # 003 收入467,049413,713 (the 12.9% is split off by the caller)
    assert split_run_together("467,049413,713", 2) == [(D(467049), D(413713))]
    # 003 资产总值2,423,8132,263,788; 股本366,062356,312
    assert split_run_together("2,423,8132,263,788", 2) == [(D(2423813), D(2263788))]
    assert split_run_together("366,062356,312", 2) == [(D(366062), D(356312))]


def test_split_run_together_with_note_column() -> None:
    # 003 income statement: "收入5467,049413,713" (附注 5)
    results = split_run_together("5467,049413,713", 2, note=True)
    assert (D(5), D(467049), D(413713)) in results


def test_split_run_together_ambiguous_returns_every_candidate() -> None:
    # "5467,049413,713" with a 1–2 digit note: note 5 or note 54 both fit the grouping
    results = split_run_together("5467,049413,713", 2, note=True)
    assert sorted(results) == [(D(5), D(467049), D(413713)), (D(54), D(67049), D(413713))]
    # 003 期内溢利15,8349621,545.9%: three readings fit the grouping alone
    results = split_run_together("15,8349621,545.9", 3, same_decimals=False)
    assert (D(15834), D(962), D("1545.9")) in results
    assert len(results) == 3


def test_split_run_together_same_decimals() -> None:
    # 003 每股基本盈利0.0460.011
    assert split_run_together("0.0460.011", 2) == [(D("0.046"), D("0.011"))]


def test_split_run_together_rejects_leading_zeros_and_bad_grouping() -> None:
    assert split_run_together("1,23", 2) == []
    # "1|012" would need a leading zero
    assert sorted(split_run_together("1012", 2)) == [(D(10), D(12)), (D(101), D(2))]


def test_change_consistent_disambiguates_003_profit_row() -> None:
    readings = split_run_together("15,8349621,545.9", 3, same_decimals=False)
    consistent = [r for r in readings if change_consistent(*r)]
    assert consistent == [(D(15834), D(962), D("1545.9"))]


# --- change_consistent ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "prior", "change", "expected"),
    [
        ("5333486253.17", "5271345801.64", "1.18", True),  # 001 营业收入
        ("5333486253.17", "5271345801.64", "1.2", True),  # rounded to one place
        ("5333486253.17", "5271345801.64", "1.19", False),
        ("467049", "413713", "12.9", True),  # 003 收入
        ("137246", "159659", "-14.0", True),  # 003 毛利
        ("137246", "159659", "14.0", False),  # wrong sign
        ("-624592418.17", "-511459688.40", "-22.12", True),  # negative prior: relative to |prior|
        ("1", "0", "5", False),  # no change from zero
    ],
)
def test_change_consistent(value: str, prior: str, change: str, expected: bool) -> None:
    assert change_consistent(D(value), D(prior), D(change)) is expected


# --- properties -------------------------------------------------------------------------


@st.composite
def decimals_at_places(draw: st.DrawFn) -> tuple[Decimal, int]:
    places = draw(st.integers(min_value=0, max_value=4))
    units = draw(st.integers(min_value=-(10**15), max_value=10**15))
    return D(units).scaleb(-places), places


@given(decimals_at_places(), st.booleans())
def test_format_then_parse_round_trips(case: tuple[Decimal, int], grouping: bool) -> None:
    value, places = case
    printed = format_number(value, places, grouping=grouping)
    assert parse_number(printed) == value
    if grouping:
        assert re.fullmatch(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?", printed)
    assert decimals_of(printed) == places


@pytest.mark.parametrize("unit", sorted(UNIT_MULTIPLIERS))
@given(case=decimals_at_places())
@settings(max_examples=25)
def test_amount_with_every_unit_round_trips(unit: str, case: tuple[Decimal, int]) -> None:
    value, _ = case
    raw = value / UNIT_MULTIPLIERS[unit]
    places = max(0, -int(raw.as_tuple().exponent))
    amount = parse_amount(format_number(raw, places) + unit)
    assert amount is not None
    assert amount.unit == unit
    assert amount.value == value


_GROUPED_INT = re.compile(r"0|[1-9]\d{0,2}(?:,\d{3})*")  # 0 is a value too
_GROUPED_DEC = re.compile(r"(?:0|[1-9]\d{0,2}(?:,\d{3})*)\.\d")


def _readings(run: str, with_change: bool) -> set[tuple[Decimal, ...]]:
    """Every reading of ``run`` a careful human would accept: grouped integers, and with a
    change column a change that fits value and prior. Brute force over every cut,
    independent of split_run_together."""
    found: set[tuple[Decimal, ...]] = set()
    if not with_change:
        for i in range(1, len(run)):
            a, b = run[:i], run[i:]
            if _GROUPED_INT.fullmatch(a) and _GROUPED_INT.fullmatch(b):
                found.add((D(a.replace(",", "")), D(b.replace(",", ""))))
        return found
    for i in range(1, len(run)):
        for j in range(i + 1, len(run)):
            a, b, c = run[:i], run[i:j], run[j:]
            if (
                _GROUPED_INT.fullmatch(a)
                and _GROUPED_INT.fullmatch(b)
                and _GROUPED_DEC.fullmatch(c)
            ):
                numbers = tuple(D(x.replace(",", "")) for x in (a, b, c))
                if change_consistent(*numbers):
                    found.add(numbers)
    return found


def _change(value: int, prior: int) -> str:
    """The change as a filing prints it: percent, one decimal, grouped."""
    change = (D(value - prior) / D(prior) * 100).quantize(D("0.1"), ROUND_HALF_UP)
    return f"{change:,.1f}"


@given(st.integers(1, 10**9), st.integers(1, 10**9))
@example(467049, 413713)  # 003 收入467,049413,71312.9%
@example(15834, 962)  # 003 期内溢利15,8349621,545.9%
@example(16443, 3836)  # 003 本公司拥有人应占期内溢利16,4433,836328.6%
@example(137246, 159659)  # 003 毛利137,246159,659-14.0% (change printed apart)
@example(1, 50)  # "150": 1|50 or 15|0 — ambiguous
@settings(max_examples=300, deadline=None)
def test_split_token_recovers_unique_columns_and_is_never_wrong(value: int, prior: int) -> None:
    change = _change(value, prior)
    printed = f"{value:,}{prior:,}"
    truth: tuple[Decimal, ...]
    if change.startswith("-"):
        # a minus sign starts a new token: "137,246159,659" then "-14.0%"
        cells = _split_token(printed, 0, False)
        truth = (D(value), D(prior))
        readings = _readings(printed, with_change=False)
    else:
        # a positive change runs on: "467,049413,71312.9%" is one token
        cells = _split_token(printed + change + "%", 0, False)
        truth = (D(value), D(prior), D(change.replace(",", "")))
        readings = _readings(printed + change, with_change=True)
    assert truth in readings
    if cells is not None:
        assert tuple(c.value for c in cells) == truth  # never a wrong split
    if len(readings) == 1:
        assert cells is not None  # the unique reading is found


@given(st.integers(1, 10**9), st.integers(1, 10**9))
@example(83, 36)  # "收入8336130.6%"
@example(10, 7772499)  # "收入107,772,499-100.0%"
@settings(max_examples=200, deadline=None, derandomize=True)
def test_read_rows_never_returns_a_wrong_run_together_row(value: int, prior: int) -> None:
    change = _change(value, prior)
    text = f"人民币千元人民币千元\n收入{value:,}{prior:,}{change}%\n"
    rows = read_rows(text, Region("summary", 0, len(text)), {"revenue": ["收入"]})
    if "revenue" in rows:
        truth = (D(value), D(prior), D(change.replace(",", "")))
        assert tuple(c.value for c in rows["revenue"].cells) == truth


def test_note_glued_to_a_small_figure_is_split_off() -> None:
    # 003 简明综合中期收益表: 摊薄(以每股人民币列示) | 附注 8 | 0.046 | 0.011, printed "80.0460.011"
    cells = _split_token("80.0460.011", 0, True)
    assert cells is not None and [c.value for c in cells] == [D("0.046"), D("0.011")]


def test_note_split_stays_ambiguous_when_both_readings_are_plausible() -> None:
    # 毛利137,246159,659 under a 附注 header: 137,246 | 159,659 or note 1 | 37,246 | 159,659
    assert _split_token("137,246159,659", 0, True) is None


def test_a_share_is_consistent_at_its_printed_precision() -> None:
    # w011: R&D 285,748,241.70 of revenue 3,188,306,524.43 is 8.962%, printed 8.96%
    rd, revenue = Decimal("285748241.70"), Decimal("3188306524.43")
    assert share_consistent(rd, revenue, Decimal("8.96"))
    assert share_consistent(rd, revenue, Decimal("9"))  # printed to a whole percent
    assert not share_consistent(rd, revenue, Decimal("8.90"))
    assert not share_consistent(rd, Decimal(0), Decimal("8.96"))
