"""HKEX announcements in English: the wording and layout of the Listing Rules' results
announcements (consolidated statements with a Notes column and HK$'000 headers, EPS in HK
cents, a starred Chinese name under the English one, "does not recommend ... dividend").

None of the example filings is one, so the text below follows that template with an
invented issuer and invented figures.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract.core.schema import Record
from extract.pipeline import extract_text

RESULTS = """\
Hong Kong Exchanges and Clearing Limited and The Stock Exchange of Hong Kong Limited
take no
responsibility for the contents of this announcement, make no representation as to its
accuracy
or completeness and expressly disclaim any liability whatsoever for any loss howsoever
arising
from or in reliance upon the whole or any part of the contents of this announcement.

SAMPLE INDUSTRIAL HOLDINGS LIMITED
樣本實業控股有限公司*
(Incorporated in Bermuda with limited liability)
(Stock Code: 1234)

ANNUAL RESULTS ANNOUNCEMENT
FOR THE YEAR ENDED 31 MARCH 2024

FINANCIAL HIGHLIGHTS
• Revenue decreased by 12.5% to HK$1,234.5 million.
• Loss attributable to owners of the Company amounted to HK$45.6 million (2023: profit
of HK$12.3 million).
• Basic loss per share was HK5.67 cents (2023: basic earnings per share of HK1.53 cents).
• The Board does not recommend the payment of a final dividend for the year ended 31
March 2024 (2023: Nil).

The board of directors (the "Board") of Sample Industrial Holdings Limited (the
"Company") announces the audited consolidated results of the Company and its
subsidiaries (collectively, the "Group") for the year ended 31 March 2024, together with
the comparative figures for the previous year, as follows:

CONSOLIDATED STATEMENT OF PROFIT OR LOSS
For the year ended 31 March 2024
2024 2023
Notes HK$'000 HK$'000
Revenue 3 1,234,512 1,410,873
Cost of sales (1,101,234) (1,200,456)
Gross profit 133,278 210,417
Other income 5 12,345 10,111
Selling and distribution expenses (40,123) (42,345)
Administrative expenses (140,456) (150,789)
Finance costs 6 (8,765) (6,543)
(Loss)/profit before tax 7 (43,721) 20,851
Income tax expense 8 (1,900) (8,551)
(Loss)/profit for the year (45,621) 12,300
(Loss)/profit for the year attributable to:
Owners of the Company (45,621) 12,300
Non-controlling interests – –
(45,621) 12,300
(Loss)/earnings per share 10
Basic (HK cents) (5.67) 1.53
Diluted (HK cents) (5.67) 1.53

CONSOLIDATED STATEMENT OF FINANCIAL POSITION
At 31 March 2024
2024 2023
Notes HK$'000 HK$'000
Non-current assets
Property, plant and equipment 456,789 470,123
Current assets
Inventories 210,987 230,456
Total assets 1,567,890 1,654,321
Equity attributable to owners of the Company 890,123 935,744
Total equity 890,123 935,744

DIVIDEND
The Board does not recommend the payment of a final dividend for the year ended 31 March
2024 (2023: Nil).

By order of the Board
Sample Industrial Holdings Limited
Chan Tai Man
Chairman
Hong Kong, 27 June 2024
"""

HIGHLIGHTS_TABLE = """\
SAMPLE INDUSTRIAL HOLDINGS LIMITED
(Stock Code: 1234)
INTERIM RESULTS ANNOUNCEMENT
FOR THE SIX MONTHS ENDED 30 SEPTEMBER 2024
FINANCIAL HIGHLIGHTS
For the six months ended 30 September
2024 2023 Change
HK$'000 HK$'000
Revenue 612,345 700,001 (12.5%)
Gross profit 70,123 98,765 (29.0%)
Profit attributable to owners of the Company 8,765 12,345 (29.0%)
Basic earnings per share (HK cents) 1.09 1.53 (28.8%)
The board of directors of the Company announces the unaudited results.
"""


@pytest.fixture(scope="module")
def record() -> Record:
    return extract_text(RESULTS)


def values(record: Record, metric: str) -> tuple[object, object]:
    assert record.financials is not None
    found = getattr(record.financials, metric)
    assert found is not None, metric
    return found.value, found.prior


def test_statement_rows_skip_the_notes_column_and_scale_by_the_header(record: Record) -> None:
    assert values(record, "revenue") == (1_234_512_000, 1_410_873_000)  # "Revenue 3 1,234,512"
    assert values(record, "gross_profit") == (133_278_000, 210_417_000)


def test_a_loss_is_negative_and_the_owners_share_comes_from_the_attribution(
    record: Record,
) -> None:
    assert values(record, "profit_for_period") == (-45_621_000, 12_300_000)
    assert values(record, "net_profit_attributable") == (-45_621_000, 12_300_000)


def test_eps_in_hk_cents_is_stored_in_dollars(record: Record) -> None:
    assert values(record, "basic_eps") == (-0.0567, 0.0153)
    assert values(record, "diluted_eps") == (-0.0567, 0.0153)


def test_financial_position_rows(record: Record) -> None:
    assert values(record, "total_assets") == (1_567_890_000, 1_654_321_000)
    assert values(record, "equity_attributable") == (890_123_000, 935_744_000)


def test_highlight_bullets_with_inline_units_give_no_table_figures(record: Record) -> None:
    """ "HK$45.6 million (2023: profit of HK$12.3 million)" is prose: the statements give
    the figures, and without them nothing is read from the bullets."""
    head = RESULTS[: RESULTS.index("The board of directors")]
    bullets_only = extract_text(head + "By order of the Board\nHong Kong, 27 June 2024\n")
    assert bullets_only.financials is None or not any(
        metric is not None for metric in bullets_only.financials.model_dump().values()
    )


def test_the_filing_is_identified(record: Record) -> None:
    filing = record.filing
    assert filing.company_name == "樣本實業控股有限公司"  # the contract wants the Chinese name
    assert (filing.stock_code, filing.exchange, filing.currency) == ("1234", "HKEX", "HKD")
    assert filing.document_type == "results_announcement"
    assert filing.period_end == date(2024, 3, 31)  # from the line under the title
    assert filing.publication_date == date(2024, 6, 27)


def test_a_board_that_does_not_recommend_a_dividend_declares_none(record: Record) -> None:
    assert record.dividend is not None and record.dividend.declared is False


@pytest.mark.parametrize(
    ("sentence", "per_10_shares"),
    [
        ("The Board recommended the payment of a final dividend of HK2.5 cents per share", 0.25),
        ("The Board has declared an interim dividend of HK$0.10 per share", 1.0),
        ("a special dividend of 3.0 HK cents per ordinary share will be paid", 0.3),
    ],
)
def test_a_dividend_per_share_in_dollars_or_cents_is_stored_per_ten_shares(
    sentence: str, per_10_shares: float
) -> None:
    dividend = extract_text(f"DIVIDEND\n{sentence} for the year ended 31 March 2024.\n").dividend
    assert dividend is not None and dividend.declared is True
    assert dividend.cash_per_10_shares == pytest.approx(per_10_shares)


def test_a_highlights_table_in_english_is_read_up_to_the_board_statement() -> None:
    record = extract_text(HIGHLIGHTS_TABLE)
    assert values(record, "revenue") == (612_345_000, 700_001_000)
    assert record.financials is not None and record.financials.revenue is not None
    assert record.financials.revenue.change_pct == -12.5  # printed "(12.5%)"
    assert values(record, "net_profit_attributable") == (8_765_000, 12_345_000)
    assert values(record, "basic_eps") == (0.0109, 0.0153)
    assert record.filing.period_end == date(2024, 9, 30)


def test_labels_and_sentences_wrapped_across_lines_are_still_read() -> None:
    """pdftotext wraps long English labels: a space in the vocabulary matches a line break."""
    wrapped = (
        "ANNUAL RESULTS ANNOUNCEMENT\nCONSOLIDATED STATEMENT OF PROFIT OR LOSS\n2024 2023\n"
        "HK$'000 HK$'000\nRevenue 612,345 700,001\nProfit for the year 9,000 13,000\n"
        "Profit for the year attributable to\nowners of the Company 8,765 12,345\n"
        "Basic earnings per share\n(HK cents) 1.09 1.53\n"
        "DIVIDEND\nThe Board does not recommend the payment of a final\ndividend for the year.\n"
    )
    record = extract_text(wrapped)
    assert values(record, "profit_for_period") == (9_000_000, 13_000_000)
    assert values(record, "net_profit_attributable") == (8_765_000, 12_345_000)
    assert values(record, "basic_eps") == (0.0109, 0.0153)
    assert record.dividend is not None and record.dividend.declared is False


REPURCHASES = """\
ANNUAL RESULTS ANNOUNCEMENT
PURCHASE, SALE OR REDEMPTION OF LISTED SECURITIES
During the year ended 31 March 2024, the Company repurchased a total of 2,460,000 ordinary
shares on the Stock Exchange at an aggregate consideration (before expenses) of
HK$1,234,560. The highest price paid per share was HK$0.55 and the lowest price paid per
share was HK$0.48.
"""


def test_repurchases_stated_in_english() -> None:
    buyback = extract_text(REPURCHASES).buyback
    assert buyback is not None
    assert (buyback.shares_repurchased, buyback.amount_paid) == (2_460_000, 1_234_560)
    assert (buyback.price_high, buyback.price_low) == (0.55, 0.48)


def test_an_amount_in_millions_is_scaled() -> None:
    text = (
        "ANNUAL RESULTS ANNOUNCEMENT\nthe Company bought back 1,000,000 shares for an "
        "aggregate consideration of approximately HK$12.3 million.\n"
    )
    buyback = extract_text(text).buyback
    assert buyback is not None and buyback.amount_paid == 12_300_000


def test_the_exchange_dividend_form_gives_the_rate_per_ten_shares() -> None:
    form = (
        "Announcement - Cash Dividend for Equity Issuer\nDividend type Final\n"
        "Dividend nature Ordinary\nDividend declared HKD 0.02 per share\n"
    )
    record = extract_text(form)
    assert record.filing.document_type == "dividend_announcement"
    assert record.dividend is not None and record.dividend.cash_per_10_shares == 0.2


@pytest.mark.parametrize(
    ("title", "document_type"),
    [
        ("PROFIT WARNING", "results_forecast"),
        ("VOLUNTARY ANNOUNCEMENT SHARE REPURCHASE", "buyback_announcement"),
        (
            "ANNOUNCEMENT OF INTERIM RESULTS FOR THE SIX MONTHS ENDED 30 JUNE 2024",
            "results_announcement",
        ),
    ],
)
def test_english_titles_name_the_document_type(title: str, document_type: str) -> None:
    assert extract_text(f"{title}\nThe Board announces.\n").filing.document_type == document_type


@pytest.mark.parametrize(
    ("sentence", "metric", "low", "high"),
    [
        (
            "the Group is expected to record a loss attributable to owners of the Company of "
            "approximately HK$60 million to HK$70 million for the year ending 31 March 2025",
            "net_profit_attributable",
            -70_000_000,
            -60_000_000,
        ),
        (
            "the Group expects to record a net loss of approximately RMB5.0 million to\n"
            "RMB8.0 million for the six months ended 30 June 2025",
            "profit_for_period",
            -8_000_000,
            -5_000_000,
        ),
        (
            "the Group expects to record a profit attributable to owners of the Company of "
            "between HK$1.2 billion and HK$1.5 billion",
            "net_profit_attributable",
            1_200_000_000,
            1_500_000_000,
        ),
    ],
)
def test_a_profit_warning_range_goes_into_low_and_high(
    sentence: str, metric: str, low: int, high: int
) -> None:
    record = extract_text(f"PROFIT WARNING\n{sentence}.\n")
    assert record.filing.document_type == "results_forecast"
    assert record.financials is not None
    found = getattr(record.financials, metric)
    assert (found.low, found.high, found.value) == (low, high, None)
