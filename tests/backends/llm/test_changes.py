"""Where a change is printed: sentences across a PDF's line wraps, a table's rows apart."""

from __future__ import annotations

from extract.backends.llm.changes import sentences, states_a_change

# w034 (HKEX interim report) as the locator shows it: the management discussion's sentence
# wrapped over two lines, then the segment table it introduces, as rows
REVENUE_REVIEW = (
    "財務回顧\n收入\n"
    "本集團來自持續經營業務的收入由二零二二年同期約人民幣9,980,131,000元增加約\n"
    "人民幣1,571,384,000元或16%至回顧期約人民幣11,551,515,000元。回顧期及二零二二\n"
    "年同期來自持續經營業務的收入及來自各個業務板塊的變動如下:\n"
    " | 人民幣千元 | 人民幣千元 | 人民幣千元 | 百分比\n"
    "房地產 | 126,650 | 129,865 | (3,215) | (2)%\n"
)
# w036: a share of the total, no change
SHARE_OF_TOTAL = "物業板塊於二零二二年度為本集團貢獻收入約人民幣225,713,000元,佔總收入的1%"


def test_a_wrapped_sentence_is_one_and_a_row_is_its_own() -> None:
    found = sentences(REVENUE_REVIEW)
    assert (
        "財務回顧收入本集團來自持續經營業務的收入由二零二二年同期約人民幣9,980,131,000元增加約"
        "人民幣1,571,384,000元或16%至回顧期約人民幣11,551,515,000元"
    ) in found
    assert "房地產 | 126,650 | 129,865 | (3,215) | (2)%" in found


def test_a_change_is_a_label_a_word_of_change_and_a_percentage_in_one_sentence() -> None:
    assert states_a_change(REVENUE_REVIEW, "financials", ["revenue"])
    assert not states_a_change(REVENUE_REVIEW, "financials", ["gross_profit"])  # no label
    assert not states_a_change(SHARE_OF_TOTAL, "financials", ["revenue"])  # no change word
