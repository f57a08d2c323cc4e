"""A fake OpenAI-compatible chat-completions server for tests (stdlib only).

``FakeOpenAI`` serves ``POST /v1/chat/completions`` from ``http.server`` in a daemon thread on a free
loopback port, so the app's real ``openai`` SDK talks real HTTP to it. Answers have the shape, headers and
``usage`` block of api.openai.com's; token counts follow the text (about 4 characters a token, plus a few
tokens per message), so they differ per call and are never zero.

How it plays: games are created with the option ``legal_moves_hint: true``, so the prompt lists the legal
moves (``llm.prompts.legal_moves_lines``: ``Legal moves: 1, 5, 9.``, ``Legal moves (UCI): e2e4, ...``,
or for word association ``Some valid unused words (a sample, not the full list): ...``). The server reads
the last such list in the conversation's user messages and answers a short reasoning line, then
``MOVE: <one of them>``, picked with ``random.Random(f"{seed}:{n}")`` where ``n`` counts requests: the same
sequence of requests gets the same answers.

Scripts: ``fake.script("alpha", ["unreadable", "rate_limited", "illegal"])`` makes the model ``alpha``
answer its next requests with those steps, in order, before it plays legal moves again. Steps:

- ``move``: a legal move (the default); ``Step("move", text="e2e4")`` plays that text instead;
- ``illegal``: a well-formed answer whose move no game accepts (``MOVE: zz99``);
- ``unreadable``: reasoning with no ``MOVE:`` line;
- ``empty``: an empty answer (``content: ""``);
- ``answer``: ``Step("answer", text=...)`` answers that text verbatim;
- ``server_error``: HTTP 500 with OpenAI's error body;
- ``rate_limited``: HTTP 429 with ``Retry-After`` (``Step("rate_limited", retry_after="2")``);
- ``overloaded``: HTTP 503;
- ``truncated``: an answer cut off at the request's output limit before its MOVE line
  (``finish_reason: "length"``, ``completion_tokens`` = the limit asked for).

Like api.openai.com, the server takes ``max_completion_tokens`` (or the older ``max_tokens``; o-series and
gpt-5 models refuse ``max_tokens`` with HTTP 400) and ``reasoning_effort`` (one of OpenAI's values, else
400). ``Step(..., reasoning_tokens=n)`` reports ``n`` of the completion tokens as reasoning tokens
(``usage.completion_tokens_details.reasoning_tokens``) and adds them to ``completion_tokens``.

Every request is logged as a ``Served`` (model, game type, status, the answer and its tokens, the request's
messages), so tests can compare what the app recorded with what the provider really sent.
"""

from __future__ import annotations

import json
import math
import random
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMPLETIONS_PATH = "/v1/chat/completions"
ILLEGAL_MOVE = "zz99"  # not a chess move, a cell, a choice, an action or a word
KINDS = frozenset(
    {"move", "illegal", "unreadable", "empty", "answer", "server_error", "rate_limited", "overloaded", "truncated"}
)
# The lines llm.prompts.legal_moves_lines writes: "Legal moves: a, b.", "Legal moves (UCI): a, b.",
# "Some valid unused words (a sample, not the full list): a, b." (case and spacing tolerated).
_LEGAL_LINE = re.compile(
    r"^[ \t>*_`-]*(?:legal\s+moves|(?:some\s+)?valid\s+(?:unused\s+)?words)\b[^:\n]*:[ \t]*(?P<moves>[^\n]*?)[ \t.]*$",
    re.IGNORECASE | re.MULTILINE,
)
# "You are playing a game of tic-tac-toe against ..." (llm.prompts.system_prompt)
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max")
_NO_MAX_TOKENS = re.compile(r"^(?:o\d|gpt-5)")  # models api.openai.com refuses max_tokens for
_GAME_TITLE = re.compile(r"playing a game of (?P<title>[\w -]+?) against", re.IGNORECASE)
_GAME_TYPES = {
    "chess": "chess",
    "tic-tac-toe": "tictactoe",
    "rock-paper-scissors": "rps",
    "racing": "racing",
    "word association": "words",
}


@dataclass(frozen=True)
class Step:
    """One scripted answer (see the module docstring for the kinds)."""

    kind: str
    text: str | None = None
    retry_after: str = "1"
    reasoning_tokens: int = 0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown step kind {self.kind!r}; one of {sorted(KINDS)}")


@dataclass(frozen=True)
class Served:
    """One request and what the server answered."""

    number: int
    model: str
    game_type: str | None
    kind: str
    status: int
    content: str | None  # the assistant's text (None for an HTTP error)
    prompt_tokens: int
    completion_tokens: int
    messages: list[dict[str, Any]] = field(repr=False)
    legal_moves: list[str] = field(repr=False)
    max_tokens: int | None = None  # the output limit asked for (max_completion_tokens or max_tokens)
    reasoning_effort: str | None = None
    finish_reason: str | None = None
    reasoning_tokens: int = 0


def legal_moves_in(messages: list[dict[str, Any]]) -> list[str]:
    """The legal-move list of the latest user message that has one ([] when none does)."""
    for message in reversed(messages):
        if message.get("role") != "user" or not isinstance(message.get("content"), str):
            continue
        found = list(_LEGAL_LINE.finditer(message["content"]))
        if found:
            raw = found[-1].group("moves")
            return [m for m in (part.strip(" \t`'\"*_") for part in raw.split(",")) if m]
    return []


def game_type_in(messages: list[dict[str, Any]]) -> str | None:
    for message in messages:
        if message.get("role") == "system" and isinstance(message.get("content"), str):
            match = _GAME_TITLE.search(message["content"])
            if match:
                return _GAME_TYPES.get(match.group("title").strip().lower())
    return None


def count_tokens(text: str) -> int:
    """Roughly what a BPE tokenizer gives for English: a token per 4 characters."""
    return math.ceil(len(text) / 4)


def _error_body(message: str, kind: str, code: str | None) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": code}}


class FakeOpenAI:
    """The server. ``with FakeOpenAI(api_key="...") as fake: ... fake.base_url`` (``.../v1``)."""

    def __init__(self, *, api_key: str | None = None, seed: int = 0, latency: float = 0.0, port: int = 0) -> None:
        self.api_key = api_key
        self.seed = seed
        self.latency = latency  # seconds every answer takes (a slow reasoning model)
        self._lock = threading.Lock()
        self._scripts: dict[str, list[Step]] = {}
        self._served: list[Served] = []
        self._count = 0
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="fake-openai", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -------------------------------------------------------------------------------------- control

    def script(self, model: str, steps: list[str | Step]) -> None:
        """Replace ``model``'s pending scripted answers (then it plays legal moves again)."""
        parsed = [step if isinstance(step, Step) else Step(step) for step in steps]
        with self._lock:
            self._scripts[model] = parsed

    def pending(self, model: str) -> int:
        """Scripted steps not used yet."""
        with self._lock:
            return len(self._scripts.get(model, []))

    def reset(self) -> None:
        """Forget scripts and the log (the request counter keeps counting)."""
        with self._lock:
            self._scripts.clear()
            self._served.clear()

    def served(self, model: str | None = None) -> list[Served]:
        with self._lock:
            return [s for s in self._served if model is None or s.model == model]

    # ----------------------------------------------------------------------------------- answering

    def answer(self, body: Any, authorization: str | None) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, JSON body) for one chat-completions request."""
        if self.api_key is not None and authorization != f"Bearer {self.api_key}":
            shown = (authorization or "")[-4:]
            return (
                401,
                {},
                _error_body(f"Incorrect API key provided: ...{shown}.", "invalid_request_error", "invalid_api_key"),
            )
        problem = _check_request(body)
        if problem:
            return 400, {}, _error_body(problem, "invalid_request_error", None)
        model, messages = body["model"], body["messages"]
        with self._lock:
            self._count += 1
            number = self._count
            script = self._scripts.get(model)
            step = script.pop(0) if script else Step("move")
        legal = legal_moves_in(messages)
        limit = body.get("max_completion_tokens", body.get("max_tokens"))
        status, headers, payload, content = self._play(step, model, messages, legal, number, limit)
        usage = payload.get("usage", {})
        choices = payload.get("choices") or [{}]
        served = Served(
            number=number,
            model=model,
            game_type=game_type_in(messages),
            kind=step.kind,
            status=status,
            content=content,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            messages=messages,
            legal_moves=legal,
            max_tokens=limit,
            reasoning_effort=body.get("reasoning_effort"),
            finish_reason=choices[0].get("finish_reason"),
            reasoning_tokens=usage.get("completion_tokens_details", {}).get("reasoning_tokens", 0),
        )
        with self._lock:
            self._served.append(served)
        return status, headers, payload

    def _play(
        self, step: Step, model: str, messages: list[dict], legal: list[str], number: int, limit: int | None
    ) -> tuple[int, dict[str, str], dict[str, Any], str | None]:
        if step.kind == "server_error":
            body = _error_body(
                "The server had an error while processing your request. Sorry about that!", "server_error", None
            )
            return 500, {}, body, None
        if step.kind == "overloaded":
            return (
                503,
                {},
                _error_body("The engine is currently overloaded, please try again later.", "server_error", None),
                None,
            )
        if step.kind == "rate_limited":
            body = _error_body(
                f"Rate limit reached for {model} on requests per min (RPM): Limit 3, Used 3, Requested 1. "
                f"Please try again in {step.retry_after}s.",
                "requests",
                "rate_limit_exceeded",
            )
            headers = {
                "retry-after": step.retry_after,
                "x-ratelimit-limit-requests": "3",
                "x-ratelimit-remaining-requests": "0",
                "x-ratelimit-reset-requests": f"{step.retry_after}s",
            }
            return 429, headers, body, None
        if step.kind == "move":
            if step.text is not None:
                move = step.text
            elif legal:
                move = random.Random(f"{self.seed}:{number}").choice(legal)
            else:
                body = _error_body(
                    "fake server: the prompt lists no legal moves; create the game with legal_moves_hint: true",
                    "invalid_request_error",
                    None,
                )
                return 400, {}, body, None
            content = f"Looking at the position, {move} is a sound choice.\nMOVE: {move}"
        elif step.kind == "illegal":
            content = f"I will play this.\nMOVE: {step.text or ILLEGAL_MOVE}"
        elif step.kind == "unreadable":
            content = "There are several candidate moves here and I need to weigh them carefully."
        elif step.kind == "empty":
            content = ""
        elif step.kind == "truncated":
            content = step.text or "Let me work through every candidate move in turn, starting with"
        else:  # answer
            content = step.text or ""
        prompt_tokens = sum(count_tokens(str(m.get("content", ""))) + 4 for m in messages) + 3
        completion_tokens = max(1, count_tokens(content)) + step.reasoning_tokens
        finish_reason = "stop"
        if step.kind == "truncated":
            completion_tokens, finish_reason = limit or 4096, "length"
        payload = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:24]}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content, "refusal": None, "annotations": []},
                    "logprobs": None,
                    "finish_reason": finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
                "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
                "completion_tokens_details": {
                    "reasoning_tokens": min(step.reasoning_tokens, completion_tokens),
                    "audio_tokens": 0,
                    "accepted_prediction_tokens": 0,
                    "rejected_prediction_tokens": 0,
                },
            },
            "service_tier": "default",
            "system_fingerprint": "fp_fake0001",
        }
        return 200, {}, payload, content


def _check_request(body: Any) -> str | None:
    if not isinstance(body, dict):
        return "the request body must be a JSON object"
    if not isinstance(body.get("model"), str) or not body["model"]:
        return "you must provide a model parameter"
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        return "'messages' must be a non-empty array"
    for message in messages:
        if not isinstance(message, dict) or message.get("role") not in ("system", "user", "assistant", "developer"):
            return "each message needs a role of system, developer, user or assistant"
        if not isinstance(message.get("content"), str):
            return "each message needs string content"
    for name in ("max_tokens", "max_completion_tokens"):
        value = body.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            return f"Invalid '{name}': expected an integer of at least 1"
    if "max_tokens" in body and _NO_MAX_TOKENS.match(body["model"]):
        return (
            "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
        )
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in REASONING_EFFORTS:
        return f"Invalid value for 'reasoning_effort': {effort!r}; supported values are {', '.join(REASONING_EFFORTS)}"
    return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        fake: FakeOpenAI = self.server.fake  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.split("?", 1)[0].rstrip("/") != COMPLETIONS_PATH:
            self._send(404, {}, _error_body(f"Invalid URL (POST {self.path})", "invalid_request_error", None))
            return
        try:
            body = json.loads(raw)
        except ValueError:
            self._send(
                400, {}, _error_body("We could not parse the JSON body of your request.", "invalid_request_error", None)
            )
            return
        if fake.latency:
            time.sleep(fake.latency)
        status, headers, payload = fake.answer(body, self.headers.get("Authorization"))
        self._send(status, headers, payload)

    def do_GET(self) -> None:
        self._send(404, {}, _error_body(f"Invalid URL (GET {self.path})", "invalid_request_error", None))

    def _send(self, status: int, headers: dict[str, str], payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", f"req_{uuid.uuid4().hex}")
        self.send_header("openai-processing-ms", "1")
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    """Run the fake on its own (e.g. a slow model for `make run`):
    ``python tests/fakes/openai_server.py --port 8011 --latency 75``; then start the app with
    ``LLM_ENDPOINTS='{"fake": "http://127.0.0.1:8011/v1"}'`` and seat ``fake:<any model name>``."""
    import argparse

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--port", type=int, default=8011)
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every answer takes")
    args = parser.parse_args()
    fake = FakeOpenAI(latency=args.latency, port=args.port)
    print(f"fake OpenAI-compatible server on {fake.base_url} (latency {args.latency} s)", flush=True)
    fake._httpd.serve_forever()


if __name__ == "__main__":
    main()
