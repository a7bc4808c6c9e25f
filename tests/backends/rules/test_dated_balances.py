"""Balances printed with their date in the row's label (an HKEX segment note)."""

from __future__ import annotations

from table_documents import document, flat_values

from extract.backends.rules.dated_balances import dated_balances
from extract.load.document import Document

# w035 (HKEX interim report, English): the segment note's reconciliation, each date's total
# assets in the total column, the label wrapped over two lines
SEGMENT_NOTE = """Reconciliation:
Corporate and other unallocated assets 10,172,306
Total assets at
30 June 2022 (Unaudited) 51,958,391
Reconciliation:
Corporate and other unallocated assets 6,283,369
Total assets at
31 December 2021 (Audited) 45,600,302
"""


def segment_note(text: str, rows: list[list[str]]) -> Document:
    return document("RMB’000 RMB’000\n" + text, [["", "RMB’000", "RMB’000"], *rows])


def values(doc: Document) -> dict[str, float]:
    return flat_values(dated_balances(doc))


def test_the_latest_date_is_the_value_and_the_one_before_the_prior() -> None:
    doc = segment_note(
        SEGMENT_NOTE,
        [
            ["Reconciliation:", "", ""],
            ["Corporate and other unallocated assets", "", "10,172,306"],
            ["Total assets at", "", ""],
            ["30 June 2022 (Unaudited)", "", "51,958,391"],
            ["Reconciliation:", "", ""],
            ["Corporate and other unallocated assets", "", "6,283,369"],
            ["Total assets at", "", ""],
            ["31 December 2021 (Audited)", "", "45,600,302"],
        ],
    )
    assert values(doc) == {"total_assets.value": 51958391000, "total_assets.prior": 45600302000}


def test_a_date_the_text_layer_scattered_a_bracket_into() -> None:
    """w034 (Traditional Chinese, right to left): 於二零二三年六月三(十日之 over
    總資產（未經審核."""
    text = "於二零二三年六月三(十日之\n總資產（未經審核 56,506,875\n"
    doc = segment_note(
        text, [["於二零二三年六月三(十日之", "", ""], ["總資產（未經審核", "", "56,506,875"]]
    )
    assert values(doc) == {"total_assets.value": 56506875000}


def test_rows_that_are_not_a_dated_total_give_nothing() -> None:
    text = (
        "Total assets less current liabilities at 30 June 2022 23,230,285\n"
        "Total assets 51,958,391\n"
        "Total assets at 30 June 2022 1 2\n"
    )
    doc = segment_note(
        text,
        [
            ["Total assets less current liabilities at 30 June 2022", "", "23,230,285"],
            ["Total assets", "", "51,958,391"],  # no date: a statement's row, read elsewhere
            ["Total assets at 30 June 2022", "1", "2"],  # two figures: not a reconciliation
        ],
    )
    assert values(doc) == {}


# w030 (HKEX annual report, bilingual): no non-controlling interests, so the statement of
# changes in equity is all the owners'; its last column is their total
CHANGES_IN_EQUITY = """CONSOLIDATED STATEMENT OF CHANGES IN EQUITY
綜合權益變動表
Attributable to owners of the Company
本公司擁有人應佔
Share capital Retained profits Total
HK$’000 HK$’000 HK$’000
At 30 September 2020 於2020年9月30日 67,408 1,147,155 4,425,613
Loss for the year 年度虧損 – (576,094) (576,094)
At 30 September 2021 於2021年9月30日 67,408 571,061 3,849,642
"""


def test_the_owners_total_of_a_statement_of_changes_in_equity() -> None:
    header = [
        ["", "Share capital", "Retained profits", "Total"],
        ["", "HK$’000", "HK$’000", "HK$’000"],
    ]
    rows = [
        ["At 30 September 2020 於2020年9月30日", "67,408", "1,147,155", "4,425,613"],
        ["Loss for the year 年度虧損", "–", "(576,094)", "(576,094)"],
        ["At 30 September 2021 於2021年9月30日", "67,408", "571,061", "3,849,642"],
    ]
    assert values(document(CHANGES_IN_EQUITY, [*header, *rows])) == {
        "equity_attributable.value": 3849642000,
        "equity_attributable.prior": 4425613000,
    }
    # with a column of non-controlling interests after the total, the total is still theirs;
    # with one and no total just before it, nothing is read
    text = CHANGES_IN_EQUITY.replace("Retained profits Total", "Total Non-controlling interests")
    header = [["", "Share capital", "Total", "Non-controlling interests"], header[1]]
    assert values(document(text, [*header, *rows]))["equity_attributable.value"] == 571061000
    text = CHANGES_IN_EQUITY.replace("Retained profits Total", "Reserves Non-controlling interests")
    header = [["", "Share capital", "Reserves", "Non-controlling interests"], header[1]]
    assert values(document(text, [*header, *rows])) == {}
