"""Tests of the fake OpenAI server, driven by the real openai and instructor clients."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import instructor
import openai
import pytest
from openai_server import FakeOpenAI, Reply, auto_tool_reply, empty_value, null_arguments
from pydantic import BaseModel

API_KEY = "sk-test-key"
MESSAGES = [{"role": "user", "content": "Extract the company from: ACME Corp, founded 1999."}]


class Company(BaseModel):
    name: str
    founded: int | None


def make_client(server: FakeOpenAI, **kwargs: object) -> openai.OpenAI:
    """A real openai client pointed at the fake server (no retries unless asked)."""
    kwargs.setdefault("max_retries", 0)
    return openai.OpenAI(base_url=server.base_url, api_key=API_KEY, **kwargs)


def chat(client: openai.OpenAI) -> openai.types.chat.ChatCompletion:
    return client.chat.completions.create(model="fake-model", messages=MESSAGES)


# -- instructor ---------------------------------------------------------------


def test_tool_call_parsed_by_instructor_tools_mode(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.tool_call({"name": "ACME Corp", "founded": 1999}))
    client = instructor.from_openai(make_client(openai_server), mode=instructor.Mode.TOOLS)

    company = client.chat.completions.create(
        model="fake-model", response_model=Company, messages=MESSAGES
    )

    assert company.model_dump() == {"name": "ACME Corp", "founded": 1999}
    (request,) = openai_server.chat_requests
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.json["tools"][0]["function"]["name"] == "Company"
    assert request.status == 200
    assert (
        request.usage["total_tokens"]
        == request.usage["prompt_tokens"] + request.usage["completion_tokens"]
    )


@pytest.mark.parametrize("mode", [instructor.Mode.JSON, instructor.Mode.MD_JSON])
def test_json_modes_parsed_by_instructor(openai_server: FakeOpenAI, mode: instructor.Mode) -> None:
    openai_server.handler = auto_tool_reply(lambda request: {"name": "ACME Corp", "founded": None})
    client = instructor.from_openai(make_client(openai_server), mode=mode)

    company = client.chat.completions.create(
        model="fake-model", response_model=Company, messages=MESSAGES
    )

    assert company.model_dump() == {"name": "ACME Corp", "founded": None}
    (request,) = openai_server.chat_requests
    assert "tools" not in request.json


def test_schema_invalid_arguments_make_instructor_reask(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(
        Reply.tool_call({"name": "ACME Corp", "founded": "long ago"}),
        Reply.tool_call({"name": "ACME Corp", "founded": 1999}),
    )
    client = instructor.from_openai(make_client(openai_server), mode=instructor.Mode.TOOLS)

    company = client.chat.completions.create(
        model="fake-model", response_model=Company, messages=MESSAGES, max_retries=1
    )

    assert company.founded == 1999
    assert len(openai_server.chat_requests) == 2


def test_auto_tool_reply_answers_in_requested_form(openai_server: FakeOpenAI) -> None:
    openai_server.handler = auto_tool_reply(lambda request: {"name": "ACME"})
    client = make_client(openai_server)
    tool = {"type": "function", "function": {"name": "Company", "parameters": {"type": "object"}}}

    as_tool = client.chat.completions.create(model="m", messages=MESSAGES, tools=[tool])
    as_json = client.chat.completions.create(
        model="m", messages=MESSAGES, response_format={"type": "json_object"}
    )

    call = as_tool.choices[0].message.tool_calls[0]
    assert (call.function.name, call.function.arguments) == ("Company", '{"name": "ACME"}')
    assert as_tool.choices[0].finish_reason == "tool_calls"
    assert as_json.choices[0].message.content == '{"name": "ACME"}'
    assert as_json.choices[0].finish_reason == "stop"


# -- errors, retries, timeouts -------------------------------------------------


def test_429_with_retry_after_is_retried_by_openai_client(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.error(429, headers={"Retry-After": "1"}), Reply.content("ok"))
    started = time.monotonic()

    completion = chat(make_client(openai_server, max_retries=1))

    assert completion.choices[0].message.content == "ok"
    assert [r.status for r in openai_server.chat_requests] == [429, 200]
    assert time.monotonic() - started >= 0.9  # the client honoured Retry-After


def test_500_then_success_is_retried(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.error(500), Reply.content("ok"))

    completion = chat(make_client(openai_server, max_retries=1))

    assert completion.choices[0].message.content == "ok"
    assert [r.status for r in openai_server.chat_requests] == [500, 200]


def test_error_body_is_openai_style(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.error(503, "overloaded", code="busy"))

    with pytest.raises(openai.InternalServerError) as caught:
        chat(make_client(openai_server))

    assert caught.value.status_code == 503
    assert caught.value.body == {
        "message": "overloaded",
        "type": "server_error",
        "param": None,
        "code": "busy",
    }


def test_hang_past_client_timeout_raises_and_stops_promptly() -> None:
    with FakeOpenAI() as server:
        server.enqueue(Reply.hang(30))
        with pytest.raises(openai.APITimeoutError):
            chat(make_client(server, timeout=0.3))
        stop_started = time.monotonic()
    assert time.monotonic() - stop_started < 1.0


def test_latency_is_served_concurrently(openai_server: FakeOpenAI) -> None:
    openai_server.latency = 0.3
    openai_server.handler = lambda request: Reply.content("ok")
    client = make_client(openai_server)
    started = time.monotonic()

    with ThreadPoolExecutor(max_workers=8) as pool:
        replies = list(pool.map(lambda _: chat(client), range(8)))

    elapsed = time.monotonic() - started
    assert len(replies) == 8
    assert 0.3 <= elapsed < 1.5


def test_unexpected_call_fails_loudly_with_500(openai_server: FakeOpenAI) -> None:
    with pytest.raises(openai.InternalServerError, match="no scripted reply"):
        chat(make_client(openai_server, max_retries=2))

    assert len(openai_server.chat_requests) == 1  # x-should-retry: false stops retries


def test_streaming_is_refused_with_400(openai_server: FakeOpenAI) -> None:
    openai_server.enqueue(Reply.content("unused"))

    with pytest.raises(openai.BadRequestError, match="streaming"):
        make_client(openai_server).chat.completions.create(
            model="m", messages=MESSAGES, stream=True
        )

    assert openai_server.pending_replies == 1


def test_models_endpoint(openai_server: FakeOpenAI) -> None:
    models = make_client(openai_server).models.list()

    assert [m.id for m in models] == ["fake-model"]
    assert openai_server.requests[0].method == "GET"


# -- schema filling and standalone mode ------------------------------------------


def test_empty_value_fills_schema() -> None:
    class Inner(BaseModel):
        tags: list[str]

    class Outer(BaseModel):
        name: str
        count: int
        maybe: float | None
        inner: Inner

    assert empty_value(Outer.model_json_schema()) == {
        "name": "",
        "count": 0,
        "maybe": None,
        "inner": {"tags": []},
    }


def test_null_arguments_reads_json_schema_response_format() -> None:
    schema = {"type": "object", "properties": {"ok": {"type": "boolean"}}}
    request = {
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}
    }

    assert null_arguments(request) == {"ok": False}


def test_standalone_server_prints_base_url_and_answers() -> None:
    script = Path(__file__).with_name("openai_server.py")
    command = [sys.executable, str(script), "--latency", "0", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            base_url = process.stdout.readline().strip()
            with openai.OpenAI(base_url=base_url, api_key=API_KEY, max_retries=0) as client:
                extractor = instructor.from_openai(client, mode=instructor.Mode.TOOLS)
                company = extractor.chat.completions.create(
                    model="m", response_model=Company, messages=MESSAGES
                )
        finally:
            process.terminate()
    assert process.returncode == 0  # SIGTERM is handled as a clean exit
    assert base_url.startswith("http://127.0.0.1:")
    assert company.model_dump() == {"name": "", "founded": None}


# -- the oracle ------------------------------------------------------------------


# w032 (HKEX annual report 2021), note 14: a dividend prompt in English that names neither the
# filing's code nor its Chinese name, beside small figures many other filings print
W032_DIVIDEND = """14. Dividends
During the year ended 31 August 2021, an interim dividend of RMB0.067 (equivalent to
HK$0.080 per share) (2020: RMB0.057 (equivalent to HK$0.062 per share)) amounting to
RMB145,222,000 (equivalent to HK$174,252,000)
Subsequent to the end of the reporting period, the directors of the Company declared a
special dividend in respect of the year ended 31 August 2021 of RMB0.106 per share
(equivalent to HK$0.128 per share) (2020: nil) amounting to RMB230,232,000 (equivalent to
HK$277,499,000) (2020: nil), which was paid in October 2021 to shareholders
Example: 每10股派发现金红利3.50元(含税),送红股0股,合计174,300,000.00元,占净利润的31.20%; 0.6 6 0 10
"""


def test_the_oracle_knows_a_prompt_by_its_sections_distinctive_figures() -> None:
    from oracle import Printed, best_gold, golds, oracle_arguments

    known = golds(Path(__file__).resolve().parent.parent / "eval" / "gold")
    printed = Printed(W032_DIVIDEND)
    gold = best_gold(known, printed, "dividend")
    assert gold is not None and gold.name.startswith("w032")
    answer = oracle_arguments(gold, "dividend", printed)
    assert (answer["cash_per_10_shares"], answer["total_cash"]) == (1.06, 230232000)


def test_the_oracle_reads_only_the_passages_of_a_prompt() -> None:
    """The instructions before the first passage print figures of their own (a seed's stock
    code in the filing section's example): they name no filing."""
    from oracle import prompt_text

    request = {
        "messages": [
            {"role": "system", "content": "stock_code: as printed (688271; 2522)."},
            {"role": "user", "content": "【片段1】\nStock code : 6068\n2021 ANNUAL REPORT"},
        ]
    }
    assert prompt_text(request) == "\n\nStock code : 6068\n2021 ANNUAL REPORT"


def test_a_passage_marker_prints_no_figure() -> None:
    """【片段4】 numbers the fourth passage: it does not show a change of 4%."""
    from oracle import Printed, prompt_text

    shown = "【片段3】\n較上一年增長4.5%\n【片段4】\n不包括保留盈利"
    printed = Printed(prompt_text({"messages": [{"role": "user", "content": shown}]}))
    assert printed.reading(4) == 4.5


def test_the_oracle_reads_columns_printed_together_as_the_grounder_does() -> None:
    """003 (HKEX interim announcement): a note number, then two EPS columns with no space,
    and a repurchase row of four columns: the oracle sees each column's figure."""
    from oracle import Printed

    printed = Printed(
        "基本(以每股人民币列示)80.0460.011\n总计846,00019.8413.3814,217,040\n收入467,049413,713"
    )
    for path, value in [
        ("financials.basic_eps.prior", 0.011),
        ("buyback.price_low", 13.38),
        ("buyback.shares_repurchased", 846000),
        ("financials.revenue.prior", 413713),
    ]:
        assert printed.shows(path, value), path
    assert not printed.shows("buyback.price_low", 13.39)


def test_the_oracle_answers_a_rounded_gold_as_the_prompt_prints_it() -> None:
    """w036: the gold change is 4 (a whole percent, tolerance 0.5); a prompt showing only the
    chairman's 4.5% gets 4.5, the figure a reader sees; a printed 4% gets 4."""
    from oracle import Printed

    chairman = Printed("本公司全年總收入人民幤217.18億元,較上一年增長4.5%")
    assert chairman.reading(4) == 4.5
    assert Printed("總收入21,718,371 20,785,542 932,829 4%").reading(4) == 4
    assert Printed("總收入21,718,371 20,785,542").reading(21718371000) == 21718371000
    assert Printed("每股虧損 人民幣(0.007)元").reading(-0.007) == -0.007


def test_the_oracle_reads_a_code_as_a_number_of_its_own() -> None:
    from oracle import Printed

    assert Printed("股份代號:717").shows("filing.stock_code", "00717")
    assert not Printed("应收款项 1,717 2,345").shows("filing.stock_code", "717")
    assert Printed("证券代码:002025").shows("filing.stock_code", "002025")
    assert not Printed("2025年6月30日").shows("filing.stock_code", "002025")


# 003 (HKEX interim announcement): its dividend passages print no figure of its own gold,
# but a receivables ageing whose columns run together, and a notice that nothing is declared
DIVIDEND_003 = """1年以下462,566383,265
1至2年73,09969,148
2至3年29,89917,267
3年以上8,7426,221
574,306475,901
10股息截至2025年6月30日止六个月及截至2024年12月31日止年度,本公司并无派付或宣派股息。
中期股息董事会不建议派付报告期内的任何中期股息。
"""


def test_the_oracle_answers_nothing_for_a_prompt_that_shows_nothing_of_its_filing() -> None:
    from oracle import Printed, best_gold, golds

    known = golds(Path(__file__).resolve().parent.parent / "eval" / "gold")
    assert best_gold(known, Printed(DIVIDEND_003), "dividend") is None
