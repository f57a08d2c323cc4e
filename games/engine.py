"""Stockfish, the one chess engine process of this Python process (python-chess's ``chess.engine``, UCI).

Used by the ``builtin:stockfish-<elo>`` players (``games.bots.stockfish``) and by move analysis
(``games.analysis``). Nothing happens at import time: the binary is looked up on first use and the
process is started on the first search, then reused across turns (a Lambda container or a gunicorn
worker keeps it warm). One lock serialises every search, so threads (autoplay workers, /events batch
workers) share it safely; a process that died (killed, crashed, out of memory) is restarted once on the
next search. The process is quit when the interpreter exits.

Where the binary is: the ``STOCKFISH_PATH`` setting when set (an empty value means "look it up"), else
``stockfish`` on PATH, else ``/usr/games/stockfish`` (where the Debian package installs it). Without a
binary ``available()`` is False: the Stockfish players are not offered and analysis is skipped.

Reproducibility: every search runs with ``Threads=1``, a small ``Hash`` that is cleared before each
search (``ucinewgame``) and a depth/node limit rather than a clock, so a full-strength search of a
position always gives the same evaluation and best move (analysis is reproducible). Stockfish's
strength limit (``UCI_LimitStrength``) picks among its best lines with a random generator that
Stockfish 15.1 seeds from the clock, so a limited player's choice in a position is *not* reproducible
from the game's seed (recorded games still replay exactly from their stored moves).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    import chess
    import chess.engine

DEBIAN_PATH = "/usr/games/stockfish"
HASH_MB = 16
T = TypeVar("T")


class EngineUnavailable(RuntimeError):
    """No Stockfish binary here, or it failed twice in a row."""


_configured: str | None = None  # settings.STOCKFISH_PATH, given by the games app at start (``configure``)


def configure(path: str | None) -> None:
    """Use ``path`` as the Stockfish binary (empty or None: look for it). Called by ``games.apps`` with
    ``settings.STOCKFISH_PATH``; this module itself stays free of Django (the bots use it)."""
    global _configured
    _configured = path or ""


def stockfish_path() -> str | None:
    """The Stockfish binary to run, or None when there is none (see the module docstring)."""
    configured = _configured if _configured is not None else os.environ.get("STOCKFISH_PATH", "")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    found = shutil.which("stockfish")
    if found:
        return found
    return DEBIAN_PATH if os.access(DEBIAN_PATH, os.X_OK) else None


def available() -> bool:
    return stockfish_path() is not None


@dataclass(frozen=True)
class Evaluation:
    """A full-strength search of one position: the score from the side to move's point of view and
    the best move (None in a finished position)."""

    score: chess.engine.PovScore
    best: chess.Move | None
    depth: int
    nodes: int


class Engine:
    """A lazily started Stockfish process behind a lock, restarted once if it died."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: chess.engine.SimpleEngine | None = None
        self._exit_hook = False
        self.name = ""

    def _start(self) -> chess.engine.SimpleEngine:
        import chess.engine

        path = stockfish_path()
        if path is None:
            raise EngineUnavailable("no stockfish binary (set STOCKFISH_PATH or install the Debian package stockfish)")
        process = chess.engine.SimpleEngine.popen_uci(path)
        if not self._exit_hook:
            # python-chess drives the engine from a non-daemon thread: quit it before the interpreter
            # waits for such threads at exit (atexit would run too late and the process would hang).
            register = getattr(threading, "_register_atexit", None)
            (register or atexit.register)(self.close)
            self._exit_hook = True
        process.configure({"Threads": 1, "Hash": HASH_MB})
        self.name = str(process.id.get("name", "stockfish"))
        return process

    def _with_process(self, work: Callable[[chess.engine.SimpleEngine], T]) -> T:
        import chess.engine

        with self._lock:
            for attempt in (1, 2):
                if self._process is None:
                    self._process = self._start()
                try:
                    return work(self._process)
                except (chess.engine.EngineTerminatedError, chess.engine.EngineError, BrokenPipeError) as exc:
                    self._discard()
                    if attempt == 2:
                        raise EngineUnavailable(f"stockfish failed: {exc}") from exc
            raise AssertionError("unreachable")

    def _discard(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            with contextlib.suppress(Exception):  # already dead: nothing to close
                process.close()

    @property
    def pid(self) -> int | None:
        """The process id of the running engine (None before the first search or after ``close``)."""
        process = self._process
        return None if process is None else process.transport.get_pid()

    def play(self, board: chess.Board, *, elo: int, depth: int, nodes: int) -> chess.Move:
        """Stockfish limited to ``elo`` (``UCI_LimitStrength``) chooses a move; the search stops at
        ``depth`` or ``nodes``, whichever comes first."""
        import chess.engine

        def work(process: chess.engine.SimpleEngine) -> chess.Move:
            process.configure({"UCI_LimitStrength": True, "UCI_Elo": elo})
            result = process.play(board, chess.engine.Limit(depth=depth, nodes=nodes), game=object())
            if result.move is None:
                raise EngineUnavailable("stockfish gave no move")
            return result.move

        return self._with_process(work)

    def evaluate(self, board: chess.Board, *, nodes: int) -> Evaluation:
        """A full-strength search of ``board`` limited to ``nodes`` (hash cleared first: reproducible)."""
        import chess.engine

        def work(process: chess.engine.SimpleEngine) -> Evaluation:
            process.configure({"UCI_LimitStrength": False})
            info = process.analyse(board, chess.engine.Limit(nodes=nodes), game=object())
            pv = info.get("pv") or []
            depth, searched = int(info.get("depth", 0)), int(info.get("nodes", 0))
            return Evaluation(info["score"], pv[0] if pv else None, depth, searched)

        return self._with_process(work)

    def close(self) -> None:
        with self._lock:
            self._discard()


_engine: Engine | None = None
_engine_lock = threading.Lock()


def engine() -> Engine:
    """The process-wide engine (created on first use; its process starts on the first search)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _engine = Engine()
        return _engine
