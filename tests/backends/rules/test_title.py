"""Where a filing's title is: the title block, a report's running header, a title phrase.

The snippets are written in the layouts the exchanges prescribe (made-up companies); each
checks the title, its type and the issuer's name as the filing section reports them.
"""

from __future__ import annotations

from typing import Any

import pytest

from extract.backends.rules import RulesBackend
from extract.backends.rules.title import line_kind, read_title
from extract.config import Settings
from extract.load.document import Document
from extract.pipeline import build_record


def filing(text: str) -> dict[str, Any]:
    doc = Document.from_text(text)
    record = build_record(doc, {"filing": RulesBackend().extract(doc, "filing")}, Settings())
    return record.filing.model_dump(mode="json")


GUARANTEE = "本公司董事会及全体董事保证本公告内容不存在任何虚假记载、误导性陈述或者重大遗漏。\n"


def test_an_announcement_title_over_two_lines_under_the_header_and_the_name() -> None:
    text = (
        "证券代码：688999 证券简称：示例科技 公告编号：2024-052\n"
        "示例科技股份有限公司\n"
        "关于 2023 年限制性股票激励计划首次授予部分\n"
        "第一个归属期归属结果暨股份上市的公告\n" + GUARANTEE + "重要内容提示：\n"
    )
    got = filing(text)
    assert (
        got["title"]
        == "关于2023年限制性股票激励计划首次授予部分第一个归属期归属结果暨股份上市的公告"
    )
    assert got["document_type"] == "incentive_announcement"
    assert got["company_name"] == "示例科技股份有限公司"


def test_the_name_before_the_title_on_its_line_is_not_part_of_the_title() -> None:
    text = (
        "证券代码：002999 证券简称：示例股份 公告编号：2024-031\n"
        "示例股份有限公司关于回购公司股份的进展公告\n"
        "本公司及董事会全体成员保证信息披露的内容真实、准确、完整。\n"
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == (
        "关于回购公司股份的进展公告",
        "buyback_announcement",
    )
    assert got["company_name"] == "示例股份有限公司"


def test_a_meeting_notice_whose_agenda_is_the_annual_report_is_not_the_report() -> None:
    text = (
        "证券代码：600999 证券简称：示例电气 公告编号：2024-018\n"
        "示例电气股份有限公司\n"
        "关于召开 2023 年年度股东大会的通知\n" + GUARANTEE + "二、会议审议事项\n"
        "序号\n议案名称\n1\n"
        "2023 年年度报告\n"
        "2\n2023 年度利润分配方案\n"
    )
    got = filing(text)
    assert got["title"] == "关于召开2023年年度股东大会的通知"
    assert got["document_type"] == "other"


def test_a_lawyers_opinion_under_a_letterhead_is_other_and_names_its_subject() -> None:
    text = (
        "SAMPLE PARTNERS\n"
        "上海 Shanghai 北京 Beijing 深圳 Shenzhen\n"
        "电话 Tel.: 86-21-0000-0000 传真 Fax: 86-21-0000-0001\n"
        "上海市某某律师事务所\n"
        "关于示例科技股份有限公司\n"
        "2023 年年度股东大会的\n"
        "法律意见书\n"
        "致：示例科技股份有限公司\n"
        "上海市某某律师事务所接受示例科技股份有限公司的委托，指派律师出席股东大会。\n"
    )
    got = filing(text)
    assert got["title"] == "关于示例科技股份有限公司2023年年度股东大会的法律意见书"
    assert got["document_type"] == "other"
    assert got["company_name"] == "示例科技股份有限公司"


def test_a_title_broken_after_a_word_that_may_end_one_goes_on() -> None:
    text = (
        "上海市某某律师事务所\n"
        "关于示例科技股份有限公司 2024 年限制性股票激励计划\n"
        "首次授予事项的法律意见书\n"
        "致：示例科技股份有限公司\n"
    )
    got = filing(text)
    assert (
        got["title"] == "关于示例科技股份有限公司2024年限制性股票激励计划首次授予事项的法律意见书"
    )
    assert got["document_type"] == "other"


def test_a_sponsors_opinion_is_other_and_names_the_company_not_the_sponsor() -> None:
    text = (
        "某某证券股份有限公司\n"
        "关于示例科技股份有限公司\n"
        "2024 年第三季度募集资金使用情况的核查意见\n"
        "某某证券股份有限公司作为示例科技股份有限公司的保荐机构，对公司募集资金使用情况进行了核查。\n"
    )
    got = filing(text)
    assert got["document_type"] == "other"
    assert got["company_name"] == "示例科技股份有限公司"


def test_an_auditors_special_report_is_other() -> None:
    text = (
        "关于示例科技股份有限公司\n"
        "非经营性资金占用及其他关联资金往来情况的\n"
        "专项审计说明\n"
        "某某专字(2024)第 000123 号\n"
        "示例科技股份有限公司全体股东：\n"
    )
    got = filing(text)
    assert (
        got["title"]
        == "关于示例科技股份有限公司非经营性资金占用及其他关联资金往来情况的专项审计说明"
    )
    assert got["document_type"] == "other"


def test_a_reply_to_the_exchanges_inquiry_about_the_annual_report_is_other() -> None:
    text = (
        "证券代码：300999 证券简称：示例医药 公告编号：2024-045\n"
        "示例医药股份有限公司\n"
        "关于深圳证券交易所对公司 2023 年年报问询函的回复公告\n"
        "本公司及董事会全体成员保证信息披露的内容真实、准确、完整。\n"
    )
    assert filing(text)["document_type"] == "other"


def _pages(*pages: str) -> str:
    return "\n\f\n".join(pages)


def test_a_csrc_report_is_titled_by_its_cover_not_by_its_running_header() -> None:
    header = "示例医药股份有限公司 2023 年年度报告全文\n"
    text = _pages(
        header + "1\n示例医药股份有限公司\n2023 年年度报告\n2024 年 4 月\n",
        header + "2\n第一节 重要提示、目录和释义\n",
        header + "3\n第二节 公司简介和主要财务指标\n",
        header + "4\n第三节 管理层讨论与分析\n",
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == ("2023年年度报告", "annual_report")
    assert got["period_end"] == "2023-12-31"
    assert got["company_name"] == "示例医药股份有限公司"


def test_a_report_summary_is_its_reports_type_and_says_so_in_the_title() -> None:
    text = (
        "公司代码：600999 公司简称：示例电气\n示例电气股份有限公司\n2023 年年度报告摘要\n"
        "第一节 重要提示\n"
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == ("2023年年度报告摘要", "annual_report")


def test_an_hkex_report_with_an_image_cover_is_titled_by_its_running_header() -> None:
    header = "Sample Holdings Limited 示例控股有限公司\nANNUAL REPORT 年報 2022/2023\n"
    text = _pages(
        "CONTENTS\nCorporate Information\n",
        header + "CORPORATE INFORMATION\n公司資料\n",
        header + "Stock Code\nHong Kong Stock Exchange: 999\n",
        header + "CHAIRMAN'S STATEMENT\n主席報告\n",
        header + "For the year ended 30 September 2023 截至2023年9月30日止年度\n",
        header + "For the year ended 30 September 2023\nRevenue\n",
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == ("年報2022/2023", "annual_report")
    assert got["company_name"] == "示例控股有限公司"
    assert got["stock_code"] == "999"
    assert got["period_end"] == "2023-09-30"  # a fiscal year ending in September


def test_an_hkex_interim_report_header_beside_the_name() -> None:
    page = "二零二三年中期報告 示例控股有限公司\n截至二零二三年六月三十日止六個月\n"
    got = filing(_pages(*(f"{page}{n}\n" for n in range(1, 5))))
    assert (got["title"], got["document_type"]) == ("二零二三年中期報告", "interim_report")
    assert got["company_name"] == "示例控股有限公司"
    assert got["period_end"] == "2023-06-30"


def test_an_hkex_announcement_headline_under_the_stock_code() -> None:
    text = (
        "香港交易及結算所有限公司及香港聯合交易所有限公司對本公告的內容概不負責，對其準確性\n"
        "或完整性亦不發表任何聲明。\n"
        "SAMPLE HOLDINGS LIMITED\n示例控股有限公司*\n"
        "（於開曼群島註冊成立之有限公司）\n（股份代號：0999）\n"
        "內幕消息\n盈利預警\n"
        "本公告乃由示例控股有限公司（「本公司」）根據上市規則第13.09條作出。\n"
    )
    got = filing(text)
    assert got["document_type"] == "results_forecast"
    assert got["stock_code"] == "0999"  # as printed
    assert got["exchange"] == "HKEX"


def test_an_hkex_english_headline_and_the_period_on_the_line_under_it() -> None:
    text = (
        "SAMPLE HOLDINGS LIMITED\n(Incorporated in Bermuda with limited liability)\n"
        "(Stock Code: 999)\n"
        "ANNUAL RESULTS ANNOUNCEMENT\nFOR THE YEAR ENDED 31 MARCH 2024\n"
        "The board of directors of the Company announces the audited results.\n"
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == (
        "ANNUALRESULTSANNOUNCEMENT",
        "results_announcement",
    )
    assert got["period_end"] == "2024-03-31"


def test_a_report_flattened_onto_one_line_is_titled_by_its_first_title_phrase() -> None:
    text = (
        "2024 年半年度报告 公司代码:600999 公司简称:示例电气 示例电气股份有限公司 "
        "2024 年半年度报告 1 / 200 重要提示"
    )
    assert filing(text)["document_type"] == "interim_report"


def test_a_lawyers_opinion_flattened_onto_one_line() -> None:
    text = (
        "上海市某某律师事务所 关于示例科技股份有限公司 2023 年年度股东大会的 法律意见书 "
        "致:示例科技股份有限公司 本所接受委托,指派律师出席公司 2023 年年度股东大会。"
    )
    got = filing(text)
    assert got["title"] == "关于示例科技股份有限公司2023年年度股东大会的法律意见书"
    assert got["document_type"] == "other"


def test_html_blocks_are_lines() -> None:
    text = (
        "<h>示例银行股份有限公司\n（股票代码：601999）</h><br/><h>2023年年度报告</h><br/>"
        "<p>本行简介。</p>"
    )
    got = filing(text)
    assert (got["title"], got["document_type"]) == ("2023年年度报告", "annual_report")
    assert got["company_name"] == "示例银行股份有限公司"


def test_a_filing_whose_title_is_not_found_is_other_never_null() -> None:
    text = "证券代码：600999 证券简称：示例电气\n示例电气股份有限公司董事会\n2024 年 4 月 26 日\n"
    got = filing(text)
    assert got["title"] is None
    assert got["document_type"] == "other"


def test_a_text_that_is_no_filing_has_no_type() -> None:
    assert filing("今天天气很好，我们去公园散步。\n")["document_type"] is None


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("证券代码:688999证券简称:示例科技公告编号:2024-052", "header"),
        ("(股份代號:0999)", "header"),
        ("Stockcode:6068", "header"),
        ("12/220", "page"),
        ("(於開曼群島註冊成立之有限公司)", "incorporation"),
        ("示例科技股份有限公司", "name"),
        ("上海市某某律师事务所", "name"),
        ("SAMPLEHOLDINGSCO.,LIMITED/", "english_name"),
        ("关于示例科技股份有限公司", "candidate"),
        ("本公司董事会及全体董事保证本公告内容不存在任何虚假记载", "body"),
        ("或完整性亦不發表任何聲明,並明確表示", "running"),
        ("CorporateInformation", "english"),
        ("Announcement-CashDividendforEquityIssuer", "form"),
    ],
)
def test_line_kinds(line: str, kind: str) -> None:
    assert line_kind(line) == kind


def test_the_reading_is_remembered_per_document() -> None:
    doc = Document.from_text("证券代码：600999 证券简称：示例\n示例股份有限公司\n2023年年度报告\n")
    assert read_title(doc) is read_title(doc)
