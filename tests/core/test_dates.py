"""extract.core.dates: Arabic, Chinese-numeral and English dates as filings print them."""

from __future__ import annotations

from datetime import date

import pytest

from extract.core.dates import DATE_RE, date_from_match, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("董事会批准报送日期:2024 年 8 月 29 日", date(2024, 8, 29)),  # 001, pdftotext spacing
        ("2024年 8月 29日", date(2024, 8, 29)),  # 000 signature
        ("（一）首次授予日：2023 年 8 月 31 日。", date(2023, 8, 31)),  # 002
        ("香港，2025年7月17日", date(2025, 7, 17)),  # d07 signature
        ("已於2025年7月16日（星期三）", date(2025, 7, 16)),  # d07, weekday after the date
        ("第一个归属期为 2024 年 9 月 2 日至 2025 年 8\n月 29 日", date(2024, 9, 2)),  # 004
        ("报告期 指 2024 年 1 月 1 日至 2024 年 6 月 30 日", date(2024, 1, 1)),  # first wins
    ],
)
def test_arabic_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


def test_date_broken_across_lines() -> None:
    # 004: "…第一个归属期为 2024 年 9 月 2 日至 2025 年 8\n月 29 日。" — the second date
    text = "至 2025 年 8\n月 29 日。"
    assert parse_date(text) == date(2025, 8, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("中国邮政储蓄银行股份有限公司董事会\n二〇二〇年三月二十五日", date(2020, 3, 25)),  # d09
        ("二零二四年十二月三十一日", date(2024, 12, 31)),
        ("二〇二四年八月二十九日", date(2024, 8, 29)),
        ("二〇二五年一月一日", date(2025, 1, 1)),
        ("二〇一九年十月十日", date(2019, 10, 10)),
    ],
)
def test_chinese_numeral_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hong Kong, May 19, 2025", date(2025, 5, 19)),  # d06 signature
        ("will commence at 9:00 a.m. on Tuesday, May 20, 2025", date(2025, 5, 20)),  # d06
        ("November 19, 2025", date(2025, 11, 19)),
        ("May 19 2025", date(2025, 5, 19)),
    ],
)
def test_english_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-05-20", date(2025, 5, 20)),
        ("2025/5/20", date(2025, 5, 20)),
        ("2025.05.20", date(2025, 5, 20)),
    ],
)
def test_numeric_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024年2月30日",
        "2023年2月29日",  # not a leap year
        "2024年13月1日",
        "2024年0月1日",
        "2024年6月31日",
        "二〇二三年二月二十九日",
        "二〇二〇年三月三十二日",
        "二〇二〇年十三月一日",
        "February 30, 2024",
        "2024-02-30",
        "2024-13-01",
    ],
)
def test_invalid_dates_are_none(text: str) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "2024 年 5 月",  # 000: a month without a day is not a date
        "2024年上半年",
        "截至6月30日止六个月",  # no year
        "自首次授予之日起 12 个月后的首个交易日",
        "",
    ],
)
def test_partial_or_no_date_is_none(text: str) -> None:
    assert parse_date(text) is None


def test_leap_day_is_valid() -> None:
    assert parse_date("2024年2月29日") == date(2024, 2, 29)
    assert parse_date("二〇二四年二月二十九日") == date(2024, 2, 29)


def test_invalid_date_is_skipped_for_the_next_valid_one() -> None:
    assert parse_date("2024年2月30日 或 2024年3月1日") == date(2024, 3, 1)


def test_date_from_match_of_an_invalid_date() -> None:
    m = DATE_RE.search("2024年2月30日")
    assert m is not None and date_from_match(m) is None
