"""Rules for ``incentive.*``: vesting (归属) and grants of equity incentive plans.

Whole files are checked field by field against eval/gold (loaded here); 002 and 004 are the
same announcement in two conversions (OCR markdown with HTML tables / pdftotext) and must
agree. Snippets are verbatim passages of the example filings.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import gold_support
import pytest
from gold_support import CORPUS, ROOT, SEEDS, gold, same
from shared_files import assert_verbatim

from extract.backends.rules.incentive import extract_incentive
from extract.load.document import Document

SECTION = "incentive"
OCR, PDFTOTEXT = "002_daa05ddb4fe6983e", "004_b26c4ee7e7963a95"


def extracted(stem: str) -> tuple[dict[str, Any], bool]:
    flat, present, _ = gold_support.extracted(SECTION, stem)
    return flat, present


def applicable(stems: list[str]) -> list[str]:
    return gold_support.applicable(SECTION, stems)


def gold_params(stems: list[str], known: dict[tuple[str, str], str]) -> list[Any]:
    return gold_support.gold_params(SECTION, stems, known)


KNOWN: dict[tuple[str, str], str] = {}


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
    """001 mentions plans but reports no grant or vesting of its own, and no periodic report
    (001, d02) carries the section: its account of a plan recounts the plan's announcements."""
    _, present = extracted(stem)
    assert present is bool(gold(stem)["sections"][SECTION])


def _shared_fields() -> list[str]:
    ocr, pdf = gold(OCR)["fields"], gold(PDFTOTEXT)["fields"]
    return sorted(p for p in ocr if p.startswith(SECTION + ".") and p in pdf)


def test_gold_of_the_two_conversions_agree() -> None:
    ocr, pdf = gold(OCR)["fields"], gold(PDFTOTEXT)["fields"]
    assert len(_shared_fields()) >= 10
    for path in _shared_fields():
        assert ocr[path]["value"] == pdf[path]["value"], path


@pytest.mark.parametrize("path", _shared_fields(), ids=lambda p: p.removeprefix(SECTION + "."))
def test_two_conversions_of_one_announcement_agree(path: str) -> None:
    assert extracted(OCR)[0][path] == extracted(PDFTOTEXT)[0][path]
    assert extracted(OCR)[0][path] is not None


# --- snippets -------------------------------------------------------------------------------------

# 004 (pdftotext): 三、本次归属的具体情况
VESTING_DETAILS = (
    "三、本次归属的具体情况\n(一)首次授予日:2023 年 8 月 31 日。\n(二)归属数量:1,079,160 股。\n"
    "(三)归属人数:1,526 人。\n(四)首次授予价格(调整后):77.63 元/股(经 2023 年年度权益分派、\n股)。"
    "\n"
    "(五)股票来源:公司回购的 A 股普通股股票。\n"
)
# 004: the grant table (original grant price 78 元/股)
GRANT_TABLE = (
    "(三)限制性股票授予情况\n授予后限制性\n授予 授予日期 授予价格 授予数量 授予人数\n股票剩余数量\n"
    "首次授予 2023 年 8 月 31 日 78 元/股 374.19 万股 1,594 人 25.81 万股\n"
    "预留授予 2024 年 5 月 21 日 88 元/股 25.81 万股 12 人 0 万股\n"
)
# 004: the vesting window, a date broken across lines
VESTING_WINDOW = (
    "此激励对象首次获授限制性股票的第一个归属期为 2024 年 9 月 2 日至 2025 年 8\n月 29 日。"
)
# 004: the plan's assessment table
TARGETS = (
    "第一个归属期 2023 20.00% 16.00%\n第二个归属期 2024 44.00% 34.56%\n第三个归属期 2025 72.80% 56."
    "09%\n"
)
# 002 (OCR markdown): plan summary, forfeiture and achieved growth
PLAN_SUMMARY = "- 3、授予价格：首次授予价格 78.00 元/股；预留授予价格 88.00 元/股。"
FORFEITED = "本次部分未达到归属条件的限制性股票 128,950 股由公司作废失效，"
ACHIEVED = (
    "2023 年度公司实现营业收入 11,410,765,602.39 元，相较于 2022 年实现增长率 23.52%，满足首次授予"
    "部分"
)

SNIPPETS = {
    "examples/filings/004_b26c4ee7e7963a95.txt": [
        VESTING_DETAILS,
        GRANT_TABLE,
        VESTING_WINDOW,
        TARGETS,
    ],
    "examples/filings/002_daa05ddb4fe6983e.txt": [PLAN_SUMMARY, FORFEITED, ACHIEVED],
}
PLAN = (  # 004
    "董事会认为:公司 2023 年\n限制性股票激励计划首次授予部分第一个归属期规定的归属条件已经成就,"
)


def test_snippets_are_verbatim() -> None:
    assert_verbatim(SNIPPETS)
    assert PLAN in (ROOT / "examples/filings/004_b26c4ee7e7963a95.txt").read_text(encoding="utf-8")


def values(text: str) -> tuple[dict[str, Any], bool]:
    result = extract_incentive(Document.from_text(text))
    return {k: v.value for k, v in result.fields.items()}, result.applies


def test_vesting_details() -> None:
    got, applies = values(PLAN + "\n" + VESTING_DETAILS)
    assert applies
    assert got["plan_name"] == "2023年限制性股票激励计划"
    assert got["tranche"] == "首次授予部分第一个归属期"
    assert got["grant_date"] == date(2023, 8, 31)
    assert got["shares_vesting"] == 1079160
    assert got["participants_vesting"] == 1526
    assert got["grant_price_adjusted"] == 77.63
    assert got["share_source"] == "公司回购的A股普通股股票"


def test_grant_price_from_the_grant_table() -> None:
    got, _ = values(PLAN + "\n" + GRANT_TABLE + VESTING_DETAILS)
    assert got["grant_price"] == 78.0  # the 首次授予 row, not the 预留 row's 88
    assert got["grant_price_adjusted"] == 77.63


def test_grant_price_from_the_plan_summary() -> None:
    got, _ = values(PLAN + "\n" + PLAN_SUMMARY)
    assert got["grant_price"] == 78.00


def test_vesting_window_across_a_line_break() -> None:
    got, _ = values(PLAN + "\n" + VESTING_WINDOW)
    assert got["vesting_start"] == date(2024, 9, 2)
    assert got["vesting_end"] == date(2025, 8, 29)


def test_targets_of_the_tranches_period() -> None:
    got, _ = values(PLAN + "\n" + TARGETS + VESTING_DETAILS)
    assert got["performance_target"] == 20.00  # 第一个归属期, not 44.00 of the second
    assert got["performance_trigger"] == 16.00


def test_forfeited_and_achieved() -> None:
    got, _ = values(PLAN + "\n" + FORFEITED + "\n" + ACHIEVED + "\n" + VESTING_DETAILS)
    assert got["shares_forfeited"] == 128950
    assert got["performance_actual"] == 23.52


def test_plan_mention_alone_is_not_a_section() -> None:
    got, applies = values("积极落实 2023 年限制性股票激励计划")
    assert got.get("plan_name") == "2023年限制性股票激励计划"
    assert not applies


# --- the exchanges' notice wordings (invented figures) ----------------------------------------


def test_options_exercisable_in_wan_fen_and_their_people() -> None:
    got, applies = values(
        "关于2022年股票期权激励计划第二个行权期行权条件成就的公告\n"
        "1、本次符合行权条件的激励对象共计108人，可行权的股票期权数量为156.80万份。\n"
        "2、本次股票期权行权价格为18.36元/份（调整后）。\n"
        "同意以2022年5月30日为授予日，向符合条件的125名激励对象授予股票期权。"
        "股票期权的行权价格由18.86元/份调整为18.36元/份。"
    )
    assert applies
    assert (got["shares_vesting"], got["participants_vesting"]) == (1568000, 108)
    assert (got["grant_price"], got["grant_price_adjusted"]) == (18.86, 18.36)
    assert got["grant_date"] == date(2022, 5, 30)


def test_shares_unlocked_in_the_older_word() -> None:
    got, _ = values(
        "关于2020年限制性股票激励计划预留授予部分第二个解锁期解锁股份上市流通的提示性公告\n"
        "1、本次解锁的限制性股票数量为287,371股。2、本次申请解除限售的激励对象数量为35人。"
    )
    assert got["tranche"] == "预留授予部分第二个解锁期"
    assert (got["shares_vesting"], got["participants_vesting"]) == (287371, 35)


def test_a_cancellation_round_gives_its_total() -> None:
    got, applies = values(
        "关于作废2023年限制性股票激励计划部分已授予尚未归属的限制性股票的公告\n"
        "作废其已获授但尚未归属的限制性股票12.30万股。首次授予部分第二个归属期及预留授予部分"
        "第一个归属期公司层面归属比例为0%，作废已授予尚未归属的限制性股票40.00万股。"
        "综上，本次合计作废失效的限制性股票数量为52.30万股。"
    )
    assert applies and got["shares_forfeited"] == 523000
    assert "tranche" not in got  # two tranches named together: neither is the round's


def test_share_source_ends_where_the_notice_does() -> None:
    got, _ = values(
        "2023年限制性股票激励计划\n4、授予价格：8.50元/股\n5、股票来源：公司从二级市场回购的本公司"
        "A股普通股股票\n\n特此公告。"
    )
    assert got["share_source"] == "公司从二级市场回购的本公司A股普通股股票"
