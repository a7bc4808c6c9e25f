"""A tiny OpenAI-compatible HTTP server for tests and benchmarks (stdlib only).

Tests never mock below the ``openai`` client: they point a real
``openai.OpenAI(base_url=server.base_url, ...)`` at this server, which listens
on ``127.0.0.1`` on a free port and answers from a per-test script.

Typical use::

    with FakeOpenAI() as server:
        server.enqueue(Reply.error(429, headers={"Retry-After": "1"}))
        server.enqueue(Reply.tool_call({"name": "ACME"}))
        client = openai.OpenAI(base_url=server.base_url, api_key="test-key")
        ...
        assert len(server.requests) == 2

How a chat completion request is answered, in order:

1. ``"stream": true`` -> 400 (streaming is not supported), nothing consumed.
2. The next item of the script queue (``enqueue``), if any. An item is either
   a ``Reply`` or a handler ``fn(request_json) -> Reply``.
3. Otherwise ``server.handler(request_json)``, if set.
4. Otherwise 500 "no scripted reply", with ``x-should-retry: false`` so the
   openai client does not retry it and an unexpected call fails loudly.

Token usage is estimated, deterministically, with ``estimate_tokens`` (about
4 characters per token): prompt tokens from the JSON text of the request's
``messages`` (plus ``tools`` and ``response_format`` when present), completion
tokens from the returned content or tool-call arguments.

Standalone (for benchmarks)::

    python tests/openai_server.py --latency 0.2 --port 0

prints its base_url on the first line of stdout, then answers every chat
completion with ``auto_tool_reply(null_arguments)``: the requested schema
filled with nulls / empty values (see ``empty_value``). With ``--oracle GOLD_DIR``
it answers as a perfect reader instead (``tests/oracle.py``): what the pipeline
loses with such a reader is the pipeline's own loss.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import json
import math
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

JsonDict = dict[str, Any]
Handler = Callable[[JsonDict], "Reply"]

DEFAULT_MODELS = ("fake-model",)
_ids = itertools.count(1)


# --------------------------------------------------------------------------
# Replies
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    """One scripted answer. Build it with the classmethods, not directly.

    ``kind`` is ``"tool_call"``, ``"content"`` or ``"error"``. ``delay`` is a
    number of seconds to wait before answering (on top of the server's
    ``latency``); the wait ends early when the server shuts down.
    """

    kind: str
    text: str = ""
    tool_name: str | None = None
    status: int = 200
    error_type: str = ""
    error_code: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    finish_reason: str | None = None
    delay: float = 0.0

    @classmethod
    def tool_call(
        cls, arguments: Mapping[str, Any] | str, *, name: str | None = None, delay: float = 0.0
    ) -> Reply:
        """A tool call. ``arguments`` is a dict (sent as JSON) or raw text
        (for invalid JSON). ``name`` defaults to the tool named in the
        request's ``tool_choice``, else its first tool."""
        text = arguments if isinstance(arguments, str) else json.dumps(arguments)
        return cls("tool_call", text=text, tool_name=name, finish_reason="tool_calls", delay=delay)

    @classmethod
    def content(cls, text: str, *, finish_reason: str = "stop", delay: float = 0.0) -> Reply:
        """A plain assistant message (JSON modes: pass the JSON text, valid or not)."""
        return cls("content", text=text, finish_reason=finish_reason, delay=delay)

    @classmethod
    def json(cls, obj: Any, *, delay: float = 0.0) -> Reply:
        """A content reply holding ``json.dumps(obj)``."""
        return cls.content(json.dumps(obj), delay=delay)

    @classmethod
    def error(
        cls,
        status: int,
        message: str | None = None,
        *,
        type: str | None = None,  # shadows the builtin on purpose: OpenAI's field name
        code: str | None = None,
        headers: Mapping[str, str] | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """An HTTP error with an OpenAI-style body
        ``{"error": {"message", "type", "param", "code"}}`` and extra headers
        (e.g. ``{"Retry-After": "1"}``)."""
        return cls(
            "error",
            text=message or f"fake server error {status}",
            status=status,
            error_type=type or _default_error_type(status),
            error_code=code,
            headers=dict(headers or {}),
            delay=delay,
        )

    @classmethod
    def hang(cls, seconds: float, then: Reply | None = None) -> Reply:
        """Wait ``seconds`` before answering ``then`` (default: a 504 error),
        e.g. to exceed a client timeout."""
        after = then or cls.error(504, f"fake server hung for {seconds}s", type="timeout")
        return dataclasses.replace(after, delay=after.delay + seconds)


def _default_error_type(status: int) -> str:
    """The ``error.type`` OpenAI uses for common statuses."""
    if status == 429:
        return "rate_limit_exceeded"
    if status == 401:
        return "authentication_error"
    if status < 500:
        return "invalid_request_error"
    return "server_error"


def requested_tool_name(request: JsonDict) -> str | None:
    """The tool the request forces via ``tool_choice``, else its first tool."""
    choice = request.get("tool_choice")
    if isinstance(choice, dict) and choice.get("function", {}).get("name"):
        return choice["function"]["name"]
    tools = request.get("tools") or []
    if tools:
        return tools[0].get("function", {}).get("name")
    return None


def reply_in_requested_form(request: JsonDict, arguments: Mapping[str, Any]) -> Reply:
    """``arguments`` as a tool call if the request has ``tools``, else as JSON
    message content (``response_format`` json_object/json_schema, or none)."""
    if request.get("tools"):
        return Reply.tool_call(arguments)
    return Reply.json(arguments)


def auto_tool_reply(fn: Callable[[JsonDict], Mapping[str, Any]]) -> Handler:
    """A handler answering with ``fn(request_json)`` in the requested form."""

    def handler(request: JsonDict) -> Reply:
        return reply_in_requested_form(request, fn(request))

    return handler


# --------------------------------------------------------------------------
# Schema filling (standalone benchmark mode)
# --------------------------------------------------------------------------

_EMPTY_BY_TYPE: dict[str, Any] = {
    "string": "",
    "integer": 0,
    "number": 0.0,
    "boolean": False,
    "array": [],
    "null": None,
}


def requested_schema(request: JsonDict) -> JsonDict:
    """The JSON schema the request asks to fill: the chosen tool's
    ``parameters``, else ``response_format.json_schema.schema``, else ``{}``."""
    name = requested_tool_name(request)
    for tool in request.get("tools") or []:
        function = tool.get("function", {})
        if function.get("name") == name:
            return function.get("parameters") or {}
    response_format = request.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return response_format.get("json_schema", {}).get("schema") or {}
    return {}


def empty_value(schema: JsonDict, root: JsonDict | None = None) -> Any:
    """A type-appropriate empty value for ``schema``.

    Rules, kept simple on purpose: ``$ref`` is followed (local refs only);
    anything nullable (``"nullable": true``, a ``"null"`` type, or a null
    option in ``anyOf``/``oneOf``) -> ``None``; ``const`` -> its value;
    ``enum`` -> its first value; an object -> each of its properties filled
    recursively; string/integer/number/boolean/array -> ``""``/``0``/``0.0``/
    ``False``/``[]``; anything else -> ``None``.
    """
    root = schema if root is None else root
    if "$ref" in schema:
        return empty_value(_resolve_ref(root, schema["$ref"]), root)
    options = schema.get("anyOf") or schema.get("oneOf") or schema.get("allOf")
    if options:
        if any(option.get("type") == "null" for option in options):
            return None
        return empty_value(options[0], root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if schema.get("nullable") or (isinstance(kind, list) and "null" in kind):
        return None
    if kind == "object" or "properties" in schema:
        return {key: empty_value(sub, root) for key, sub in schema.get("properties", {}).items()}
    return _EMPTY_BY_TYPE.get(kind) if isinstance(kind, str) else None


def _resolve_ref(root: JsonDict, ref: str) -> JsonDict:
    """Follow a local reference such as ``#/$defs/Company``."""
    node: Any = root
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def null_arguments(request: JsonDict) -> Any:
    """The requested schema (see ``requested_schema``) filled by ``empty_value``."""
    return empty_value(requested_schema(request))


# --------------------------------------------------------------------------
# Response bodies
# --------------------------------------------------------------------------


def estimate_tokens(text: str) -> int:
    """Rough token count: one token per 4 characters, at least 1."""
    return max(1, math.ceil(len(text) / 4))


def usage_for(request: JsonDict, completion_text: str) -> JsonDict:
    """A realistic ``usage`` block (see the module docstring for the estimate)."""
    prompt_parts = {k: request[k] for k in ("messages", "tools", "response_format") if k in request}
    prompt = estimate_tokens(json.dumps(prompt_parts))
    completion = estimate_tokens(completion_text)
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def error_body(
    message: str, error_type: str, code: str | None = None, param: str | None = None
) -> JsonDict:
    """An OpenAI-style error body."""
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


def completion_body(request: JsonDict, reply: Reply) -> JsonDict:
    """A ``chat.completion`` object answering ``request`` with ``reply``."""
    message: JsonDict = {"role": "assistant", "content": None, "refusal": None}
    if reply.kind == "tool_call":
        name = reply.tool_name or requested_tool_name(request) or "tool"
        function = {"name": name, "arguments": reply.text}
        message["tool_calls"] = [
            {"id": f"call_{next(_ids)}", "type": "function", "function": function}
        ]
    else:
        message["content"] = reply.text
    return {
        "id": f"chatcmpl-{next(_ids)}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": request.get("model") or DEFAULT_MODELS[0],
        "choices": [
            {"index": 0, "message": message, "finish_reason": reply.finish_reason, "logprobs": None}
        ],
        "usage": usage_for(request, reply.text),
    }


# --------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------


@dataclass
class RecordedRequest:
    """One request as received. ``headers`` keys are lower-case; ``json`` is
    the parsed body (``None`` if absent or invalid). ``status`` and ``usage``
    are filled in once the answer is chosen."""

    method: str
    path: str
    headers: dict[str, str]
    json: Any
    status: int | None = None
    usage: JsonDict | None = None


class FakeOpenAI:
    """An OpenAI-compatible server on ``127.0.0.1`` (a free port unless
    ``port`` is given). Use as a context manager, or ``start()``/``stop()``.

    Attributes you may set at any time: ``handler`` (``fn(request_json) ->
    Reply`` used when the queue is empty) and ``latency`` (seconds added to
    every reply; requests are served concurrently).
    """

    def __init__(
        self,
        *,
        handler: Handler | None = None,
        latency: float = 0.0,
        port: int = 0,
        models: tuple[str, ...] = DEFAULT_MODELS,
    ) -> None:
        self.handler = handler
        self.latency = latency
        self.models = models
        self._port = port
        self._script: deque[Reply | Handler] = deque()
        self._requests: list[RecordedRequest] = []
        self._waiting = 0
        self._peak_waiting = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> FakeOpenAI:
        """Bind and serve in a background thread."""
        self._stopping.clear()
        self._httpd = _Server(("127.0.0.1", self._port), _RequestHandler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: pending delays are cut short, and requests still being
        answered get up to 5 s to finish, so no handler thread outlives us."""
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd.wait_idle(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._httpd = self._thread = None

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """E.g. ``http://127.0.0.1:PORT/v1`` (pass to ``openai.OpenAI``)."""
        if self._httpd is None:
            raise RuntimeError("FakeOpenAI is not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    # -- scripting ---------------------------------------------------------

    def enqueue(self, *replies: Reply | Handler) -> None:
        """Append replies (or handlers) to the script, answered in order."""
        with self._lock:
            self._script.extend(replies)

    @property
    def pending_replies(self) -> int:
        """How many scripted replies have not been used yet."""
        with self._lock:
            return len(self._script)

    # -- inspection --------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    @property
    def peak_in_flight(self) -> int:
        """The most chat requests received and not yet answered at one time (counted up to
        the moment the reply is written, so a client that sends its next request on
        receiving a reply never overlaps the previous one)."""
        with self._lock:
            return self._peak_waiting

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        """The POST /v1/chat/completions requests only."""
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # -- used by the request handler ---------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _next_reply(self, request_json: JsonDict) -> Reply:
        """The scripted reply, the handler's, or the 'nothing scripted' 500."""
        with self._lock:
            item = self._script.popleft() if self._script else self.handler
        if item is None:
            return Reply.error(
                500,
                "FakeOpenAI: unexpected request, no scripted reply and no handler",
                type="fake_server_unscripted",
                headers={"x-should-retry": "false"},
            )
        return item if isinstance(item, Reply) else item(request_json)

    @contextlib.contextmanager
    def _answering(self) -> Iterator[None]:
        """Count a request as in flight while its reply is being prepared."""
        with self._lock:
            self._waiting += 1
            self._peak_waiting = max(self._peak_waiting, self._waiting)
        try:
            yield
        finally:
            with self._lock:
                self._waiting -= 1

    def _wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False if interrupted by ``stop()``."""
        return seconds <= 0 or not self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    """Threading server with a deep listen backlog (bursts of connections)
    that counts the requests it is still answering (see ``wait_idle``)."""

    daemon_threads = True
    request_queue_size = 128
    fake: FakeOpenAI

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._in_flight = 0
        self._idle = threading.Condition()

    def process_request(self, request: Any, client_address: Any) -> None:
        """Count the request before its thread starts (runs in the serving thread)."""
        with self._idle:
            self._in_flight += 1
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._idle:
                self._in_flight -= 1
                self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being answered; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._in_flight == 0, timeout)


class _RequestHandler(BaseHTTPRequestHandler):
    """Routes HTTP requests to the owning ``FakeOpenAI``.

    Uses HTTP/1.0 (one request per connection) so nothing lingers on shutdown.
    """

    server: _Server
    server_version = "FakeOpenAI/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default per-request stderr logging."""

    def do_GET(self) -> None:  # name required by http.server
        recorded = self._record(None)
        if self.path.rstrip("/") == "/v1/models":
            data = [
                {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                for m in self.server.fake.models
            ]
            self._send(recorded, 200, {"object": "list", "data": data})
        else:
            self._send_not_found(recorded)

    def do_POST(self) -> None:  # name required by http.server
        body = self._read_json()
        recorded = self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_not_found(recorded)
        elif not isinstance(body, dict):
            self._send(
                recorded,
                400,
                error_body("Request body is not a JSON object", "invalid_request_error"),
            )
        elif body.get("stream"):
            message = "FakeOpenAI does not support streaming"
            self._send(
                recorded, 400, error_body(message, "invalid_request_error", "unsupported", "stream")
            )
        else:
            self._answer(recorded, body)

    def _answer(self, recorded: RecordedRequest, body: JsonDict) -> None:
        fake = self.server.fake
        try:
            reply = fake._next_reply(body)
        except Exception as exc:  # a broken test handler must not kill the thread silently
            reply = Reply.error(
                500, f"FakeOpenAI handler raised {exc!r}", headers={"x-should-retry": "false"}
            )
        with fake._answering():
            answered = fake._wait(fake.latency + reply.delay)
        if not answered:
            self.close_connection = True
            return
        if reply.kind == "error":
            payload = error_body(reply.text, reply.error_type, reply.error_code)
            self._send(recorded, reply.status, payload, reply.headers)
        else:
            payload = completion_body(body, reply)
            recorded.usage = payload["usage"]
            self._send(recorded, 200, payload)

    def _read_json(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None

    def _record(self, body: Any) -> RecordedRequest:
        headers = {key.lower(): value for key, value in self.headers.items()}
        recorded = RecordedRequest(self.command, self.path, headers, body)
        self.server.fake._record(recorded)
        return recorded

    def _send_not_found(self, recorded: RecordedRequest) -> None:
        message = f"FakeOpenAI: unknown route {self.command} {self.path}"
        self._send(recorded, 404, error_body(message, "invalid_request_error", "unknown_url"))

    def _send(
        self,
        recorded: RecordedRequest,
        status: int,
        payload: JsonDict,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        recorded.status = status
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (e.g. its timeout fired); nothing to do


# --------------------------------------------------------------------------
# Standalone mode
# --------------------------------------------------------------------------


def oracle_handler(gold_dir: str) -> Handler:
    """Answers as a perfect reader would (tests/oracle.py): each field with its gold value
    when that value is printed in the prompt, null otherwise."""
    from pathlib import Path

    from oracle import TOOL_SECTIONS, Printed, best_gold, golds, oracle_arguments, prompt_text

    known = golds(Path(gold_dir))

    def answer(request: JsonDict) -> Mapping[str, Any]:
        name = requested_tool_name(request) or requested_schema(request).get("title", "")
        section = TOOL_SECTIONS.get(str(name))
        printed = Printed(prompt_text(request))
        gold = best_gold(known, printed, section)
        if section is None or gold is None:
            return null_arguments(request)
        return oracle_arguments(gold, section, printed)

    return auto_tool_reply(answer)


def main(argv: list[str] | None = None) -> None:
    """Serve auto replies (schemas filled with nulls, or the oracle's) until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument(
        "--oracle", metavar="GOLD_DIR", help="answer with the gold values printed in the prompt"
    )
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    handler = oracle_handler(args.oracle) if args.oracle else auto_tool_reply(null_arguments)
    with FakeOpenAI(handler=handler, latency=args.latency, port=args.port) as server:
        print(server.base_url, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()


if __name__ == "__main__":
    main()
