"""A document's type from its own title (vocab/doctypes.yaml), and every shared filing typed.

The titles are written from the exchanges' announcement formats (SSE/SZSE 公告 titles and
the documents filed beside them, HKEX headlines), with made-up companies; the traps are
titles that name a periodic report without being one.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from gold_support import GOLD_DIR, gold
from shared_files import CORPUS_DIR, WILD_DIR, need

from extract.backends.rules.doctype import chinese_report_title, document_type, report_type
from extract.backends.rules.filing import identify_filing
from extract.load.document import Document, read_document
from extract.load.pdf import read_pdf

ANNUAL = [
    "2023年年度报告",
    "2023年年度报告摘要",
    "2019年度报告",
    "2023年年度报告(修订版)",
    "2023年年度报告全文(更新后)",
    "2023年年度报告摘要(英文版)",
    "2023年年度报告(H股)",
    "2023年年度报告(修订)",
    "2023AnnualReport",
    "ANNUALREPORT2023",
    "2023年報",
    "二零二三年年報",
    "年報2022/2023",
    "2022/23年報",
    "ANNUALREPORT年報2022/2023",
]
INTERIM = [
    "2024年半年度报告",
    "2024年半年度报告摘要",
    "2024年半年度报告(修订版)",
    "2024年中期报告",
    "二零二四年中期報告",
    "中期報告2024",
    "INTERIMREPORT2024",
    "2024Semi-AnnualReport",
]
QUARTERLY = [
    "2024年第一季度报告",
    "2024年第三季度报告",
    "2024年第三季度报告(更正后)",
    "2024年一季度报告",
    "2024年第3季度报告",
    "2024年第一季度报告正文",
    "二零二四年第一季度報告",
    "2024FirstQuarterlyReport",
    "2024ThirdQuarterReport",
]
RESULTS = [
    "2023年度业绩快报公告",
    "2024年半年度业绩快报",
    "关于2023年度业绩快报的更正公告",
    "截至二零二三年十二月三十一日止年度之全年業績公告",
    "截至2024年6月30日止六個月之中期業績公告",
    "截至2025年6月30日止六个月的中期业绩公告",
    "ANNUALRESULTSANNOUNCEMENTFORTHEYEARENDED31DECEMBER2023",
    "ANNOUNCEMENTOFINTERIMRESULTSFORTHESIXMONTHSENDED30JUNE2024",
    "ANNUALRESULTSFORTHEYEARENDED31DECEMBER2023ANDFINALDIVIDEND",
    "UNAUDITEDINTERIMRESULTSFORTHESIXMONTHSENDED30SEPTEMBER2024",
]
FORECAST = [
    "2023年年度业绩预告",
    "2024年半年度业绩预告",
    "2024年前三季度业绩预告",
    "2023年度业绩预亏公告",
    "关于2023年度业绩预增的公告",
    "关于2023年度业绩预告的更正公告",
    "盈利預警",
    "內幕消息盈利預警",
    "PROFITWARNING",
    "POSITIVEPROFITALERT",
]
DIVIDEND = [
    "2023年年度权益分派实施公告",
    "2024年半年度权益分派实施公告",
    "关于2023年度利润分配预案的公告",
    "关于2023年度利润分配方案的公告",
    "关于2023年度拟不进行利润分配的公告",
    "2023年度利润分配及资本公积金转增股本实施公告",
    "A股2023年度分红派息实施公告",
    "关于2024年前三季度利润分配方案的公告",
    "关于2024年中期分红安排的公告",
    "关于2023年度利润分配预案暨召开现金分红说明会的公告",
    "Announcement-CashDividendforEquityIssuer",
    "建議宣派末期股息",
]
BUYBACK = [
    "关于以集中竞价交易方式回购公司股份方案的公告",
    "关于以集中竞价交易方式回购股份的回购报告书",
    "回购报告书",
    "关于回购股份的进展公告",
    "关于首次回购公司股份的公告",
    "关于股份回购实施结果暨股份变动的公告",
    "关于回购股份事项前十名股东和前十名无限售条件股东持股情况的公告",
    "关于回购股份比例达到总股本1%暨回购进展的公告",
    "关于实施2023年年度权益分派后调整回购股份价格上限的公告",
    "关于注销已回购股份的公告",
    "关于变更回购股份用途并注销的公告",
    '关于以集中竞价交易方式回购公司股份暨落实"提质增效重回报"行动方案的公告',
    "VOLUNTARYANNOUNCEMENTSHAREREPURCHASE",
    "購回股份",
]
INCENTIVE = [
    "关于2023年限制性股票激励计划首次授予部分第一个归属期符合归属条件的公告",
    "关于2023年限制性股票激励计划首次授予部分第一个归属期归属结果暨股份上市的公告",
    "关于向激励对象首次授予限制性股票的公告",
    "关于调整2023年限制性股票激励计划授予价格的公告",
    "关于作废部分已授予尚未归属的限制性股票的公告",
    "2024年限制性股票激励计划(草案)摘要公告",
    "关于回购注销部分限制性股票的公告",
    "关于2021年股票期权激励计划第二个行权期行权条件成就的公告",
    "2024年员工持股计划(草案)",
    "GRANTOFSHAREOPTIONS",
    "授出購股權",
]
ACTION_PLAN = [
    "关于公司2024年度提质增效重回报专项行动方案的半年度评估报告",
    '2024年度"提质增效重回报"行动方案',
]
# Names a periodic report, a dividend, a buyback or an incentive, and is none of them.
OTHER_TRAPS = [
    # meetings whose agenda is the report
    "关于召开2023年年度股东大会的通知",
    "2023年年度股东大会决议公告",
    "2023年年度股东大会会议资料",
    "关于召开2023年度业绩说明会的公告",
    "关于参加2024年半年度业绩说明会的公告",
    "第三届董事会第十次会议决议公告",
    # the exchange's letters about a report, and the replies
    "关于2023年年度报告的信息披露监管问询函的回复公告",
    "关于收到上海证券交易所对公司2023年年度报告的信息披露监管问询函的公告",
    "关于对深圳证券交易所2023年年报问询函回复的公告",
    "关于延期回复上海证券交易所问询函的公告",
    "关于对2023年度业绩预告相关事项问询函的回复公告",
    # notices about a report
    "关于2023年年度报告的更正公告",
    "关于2023年年度报告及摘要的补充公告",
    "关于披露2023年年度报告的提示性公告",
    "PUBLICATIONOF2023ANNUALREPORT",
    "致非登記股東之通知信函-2023年年報之發佈通知",
    # documents by others about the company
    "北京市某某律师事务所关于示例科技股份有限公司2023年年度股东大会的法律意见书",
    "关于示例科技股份有限公司2023年年度报告的法律意见书",
    "关于示例科技股份有限公司非经营性资金占用及其他关联资金往来情况的专项审计说明",
    "关于示例科技股份有限公司2023年度募集资金存放与实际使用情况的鉴证报告",
    "某某证券股份有限公司关于示例科技股份有限公司2024年半年度持续督导跟踪报告",
    "某某证券股份有限公司关于示例科技股份有限公司2023年度持续督导年度报告书",
    "某某证券股份有限公司关于示例科技股份有限公司2024年第三季度募集资金使用情况的核查意见",
    "某某律师事务所关于示例科技股份有限公司回购股份的法律意见书",
    "某某律师事务所关于示例科技股份有限公司2023年限制性股票激励计划首次授予部分第一个归属期"
    "归属条件成就的法律意见书",
    "某某证券关于示例科技股份有限公司2023年限制性股票激励计划首次授予相关事项之独立财务顾问报告",
    "监事会关于2024年限制性股票激励计划首次授予激励对象名单的核查意见",
    "独立董事关于第三届董事会第十次会议相关事项的独立意见",
    "独立董事关于2023年度利润分配预案的独立意见",
    "2023年度审计报告",
    "2023年度内部控制审计报告",
    # a report that is not the periodic report
    "2023年度内部控制评价报告",
    "2023年度社会责任报告",
    "2023年度环境、社会及治理(ESG)报告",
    "2023年度董事会工作报告",
    "2023年度独立董事述职报告",
    "2023年度财务决算报告",
    "关于2024年半年度募集资金存放与使用情况的专项报告",
    "关于2023年度日常关联交易执行情况及2024年度预计的公告",
    "关于2023年度计提资产减值准备的公告",
    # 回购 that is a loan or an investment, not a repurchase; a policy, not a distribution
    "关于控股股东暨实际控制人进行股票质押式回购交易的公告",
    "关于使用部分闲置自有资金购买国债逆回购产品的公告",
    "未来三年(2024年-2026年)股东分红回报规划",
    # HKEX
    "NOTICEOFANNUALGENERALMEETING",
    "POLLRESULTSOFTHEANNUALGENERALMEETINGHELDON2JUNE2024",
    "PROPOSEDGENERALMANDATESTOISSUEANDREPURCHASESHARES,RE-ELECTIONOFRETIRINGDIRECTORS",
    "建議發行及購回股份之一般授權及重選退任董事",
    "DATEOFBOARDMEETING",
    "ANNOUNCEMENTOFALLOTMENTRESULTS",
    "最終發售價及分配結果公告",
]
OTHER_PLAIN = [
    "关于续聘2024年度会计师事务所的公告",
    "关于使用部分闲置募集资金进行现金管理的公告",
    "关于控股股东部分股份质押的公告",
    "关于持股5%以上股东减持股份计划的公告",
    "关于首次公开发行部分限售股上市流通的公告",
    "关于为全资子公司提供担保的公告",
    "关于会计政策变更的公告",
    "公司章程(2024年4月修订)",
    "投资者关系活动记录表",
    "CONNECTEDTRANSACTION",
    "CHANGEOFCOMPANYSECRETARY",
    "截至2024年3月31日止月份之股份發行人的證券變動月報表",
    "部分行使超額配股權、穩定價格行動及穩定價格期間結束",
]

TITLES = (
    [(t, "annual_report") for t in ANNUAL]
    + [(t, "interim_report") for t in INTERIM]
    + [(t, "quarterly_report") for t in QUARTERLY]
    + [(t, "results_announcement") for t in RESULTS]
    + [(t, "results_forecast") for t in FORECAST]
    + [(t, "dividend_announcement") for t in DIVIDEND]
    + [(t, "buyback_announcement") for t in BUYBACK]
    + [(t, "incentive_announcement") for t in INCENTIVE]
    + [(t, "action_plan_review") for t in ACTION_PLAN]
    + [(t, "other") for t in OTHER_TRAPS + OTHER_PLAIN]
)


def test_the_title_set_covers_every_type_and_the_traps() -> None:
    assert len(TITLES) >= 100
    from extract.core.schema import DocumentType

    assert {kind for _, kind in TITLES} == {k.value for k in DocumentType}
    assert len(OTHER_TRAPS) >= 40


@pytest.mark.parametrize(("title", "kind"), TITLES, ids=[t[:24] for t, _ in TITLES])
def test_title_gives_its_type(title: str, kind: str) -> None:
    assert document_type(title) == kind


@pytest.mark.parametrize("title", OTHER_TRAPS, ids=[t[:24] for t in OTHER_TRAPS])
def test_a_report_named_inside_another_title_is_not_that_report(title: str) -> None:
    assert report_type(title) is None


@pytest.mark.parametrize(
    ("title", "kept"),
    [
        ("ANNUALREPORT年報2020/2021", "年報2020/2021"),
        ("AnnualReport2020/21年報", "2020/21年報"),
        ("INTERIMREPORT2024中期報告", "2024中期報告"),
        ("AnnualReport2021", "AnnualReport2021"),  # no Chinese name: kept as printed
        ("2023年年度报告", "2023年年度报告"),
    ],
)
def test_a_bilingual_report_title_keeps_the_chinese_name(title: str, kept: str) -> None:
    assert chinese_report_title(title) == kept


# --- every filing of the shared corpus and wild set ---------------------------------------

PAGES_READ = 12  # the title block and running headers are on the first pages


def _manifest_types() -> dict[str, str]:
    """The wild set's documents as its MANIFEST describes them (file → type)."""
    words = {
        "annual report": "annual_report",
        "interim report": "interim_report",
        "first-quarter report": "quarterly_report",
        "third-quarter report": "quarterly_report",
    }
    manifest = need(WILD_DIR / "MANIFEST.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (w\d{3}_\S+\.pdf) \|(?:[^|]*\|){3} ([^|]+?) \|", manifest, re.M)
    return {name: words[kind] for name, kind in rows}


def _gold_types() -> dict[str, str]:
    """Document → type, for every gold file that labels one."""
    types = {}
    for path in sorted(GOLD_DIR.glob("[dw][0-9][0-9]*.yaml")):
        labelled = gold(path.stem)["fields"].get("filing.document_type")
        if labelled:
            types[gold(path.stem)["document"]] = labelled["value"]
    return types


def _shared_files() -> list[Path]:
    return sorted(
        p
        for folder in (CORPUS_DIR, WILD_DIR)
        if folder.is_dir()
        for p in folder.iterdir()
        if p.suffix in (".pdf", ".txt", ".html")
    )


def _expected(path: Path) -> str:
    known = {**_manifest_types(), **_gold_types()} if WILD_DIR.is_dir() else _gold_types()
    return known.get(path.name) or known[path.with_suffix(".pdf").name]


@cache
def _head(path: Path) -> Document:
    if path.suffix != ".pdf":
        return read_document(path)
    pdf = read_pdf(path, max_pages=PAGES_READ)
    return Document.from_text(pdf.text, path=str(path), encoding="pdf", page_starts=pdf.page_starts)


@pytest.mark.parametrize("path", _shared_files(), ids=lambda p: p.name[:12] + p.suffix)
def test_every_shared_filing_gets_its_type(path: Path) -> None:
    fields = identify_filing(_head(path)).values()
    assert fields.get("document_type") == _expected(path), fields.get("title")


def test_the_shared_folders_are_all_typed() -> None:
    files = _shared_files()
    if not files:
        need(CORPUS_DIR)
    assert len([p for p in files if p.parent == WILD_DIR]) in (0, 33)
