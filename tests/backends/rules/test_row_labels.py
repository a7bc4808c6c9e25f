"""Row labels: which metric a table row's label names."""

from __future__ import annotations

import pytest

from extract.backends.rules.row_labels import label_metric


@pytest.mark.parametrize(
    ("label", "metric"),
    [
        ("归属于上市公司股东的扣除非经常性损益的净利润(元)", "net_profit_attributable_deducted"),
        ("(一)归属于母公司股东的净利润(净亏损以“-”号填列)", "net_profit_attributable"),
        ("其中:营业收入", "revenue"),
        ("Profit (loss) for the year 本年度溢利(虧損)", "profit_for_period"),
        ("Revenue 收入", "revenue"),
        ("营业外收入", None),
        ("利息收入", None),
        # wild HKEX reports: "and diluted", a dash bullet, a space lost in the text layer
        ("Basic and diluted (loss)/earnings per share (HK cents)", "basic_eps"),
        ("– Equity shareholders of the Company", "net_profit_attributable"),
        ("— Basic and diluted (RMB)", "basic_eps"),
        (
            "(Loss) profit for the year attributable to owner ofthe Company",
            "net_profit_attributable",
        ),
        ("NET CASH FROM (USED IN) OPERATING ACTIVITIES", "operating_cash_flow"),
        ("Equity attributable to equity shareholders of the Company", "equity_attributable"),
        # w035: a text layer without word spaces, earnings/(loss) with a slash
        ("Basicanddilutedearnings/(loss)pershare", "basic_eps"),
    ],
)
def test_labels_name_their_metric(label: str, metric: str | None) -> None:
    assert label_metric(label) == metric


@pytest.mark.parametrize(
    ("label", "metric"),
    [
        # one character the font left without a Unicode mapping: every reading agrees
        ("經\ufffd活動所得/(所用)現金淨額", "operating_cash_flow"),
        # too short, or too many unknowns, to tell
        ("收\ufffd", None),
        ("\ufffd產總額", None),
        ("本\ufffd司\ufffd益\ufffd東應佔\ufffd益", None),
    ],
)
def test_labels_with_an_undecoded_character(label: str, metric: str | None) -> None:
    assert label_metric(label) == metric
