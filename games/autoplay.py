"""Background play for games with autoplay on: a small in-process worker pool.

The interface is one function, ``enqueue(game_id)``: "look at this game and play its AI turns until it
ends, autoplay is switched off, or a human is to move". Every turn goes through
``service.autoplay_turn`` (one version-checked write per turn), so a worker racing a manual step or
another worker only ever loses a turn's write and re-reads; it never records a move twice. This is
the ``inprocess`` task backend of ``games.tasks`` (the service enqueues through ``tasks.enqueue``); on
AWS the ``sqs`` backend sends one message per turn instead, delivered to ``/events``. This in-process
version suits gunicorn and tests, not Lambda (a frozen sandbox does not run threads).

Settings (read with defaults): ``AUTOPLAY_WORKERS`` (threads, default 4), ``AUTOPLAY_TURN_DELAY_SECONDS``
(pause between turns so spectators can follow, default 0), ``AUTOPLAY_MAX_TURNS`` (safety stop per run,
default 5000).
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from django.conf import settings

logger = logging.getLogger("duelarena.autoplay")

# Another writer (a manual step, another process's worker) winning a turn is normal; winning every
# turn for this long means someone else is driving the game, so this worker lets go.
MAX_CONFLICTS_IN_A_ROW = 20

_lock = threading.Lock()
_jobs: queue.Queue[tuple[str, int]] = queue.Queue()
_threads: list[threading.Thread] = []
_active: set[str] = set()  # games a worker is driving or about to drive
_again: set[str] = set()  # enqueued again while being driven: look once more before letting go
_generation = 0  # bumped by stop_all(); work from an older generation is dropped
_stopping = threading.Event()


def enqueue(game_id: str) -> None:
    """Ask a worker to drive this game. Idempotent: a game is driven by at most one worker here."""
    with _lock:
        if game_id in _active:
            _again.add(game_id)
            return
        _active.add(game_id)
        _ensure_workers()
        _jobs.put((game_id, _generation))


def _ensure_workers() -> None:
    wanted = max(1, int(getattr(settings, "AUTOPLAY_WORKERS", 4)))
    _threads[:] = [t for t in _threads if t.is_alive()]
    while len(_threads) < wanted:
        thread = threading.Thread(target=_work, name=f"autoplay-{len(_threads)}", daemon=True)
        thread.start()
        _threads.append(thread)


def _work() -> None:
    while True:
        game_id, generation = _jobs.get()
        try:
            _drive(game_id, generation)
        finally:
            _jobs.task_done()


def _drive(game_id: str, generation: int) -> None:
    while True:
        try:
            _play(game_id, generation)
        except Exception:  # a worker must survive any game's failure; the game keeps its state
            logger.exception("autoplay stopped on an error", extra={"game_id": game_id})
        with _lock:
            if game_id in _again and generation == _generation:
                _again.discard(game_id)
                continue
            _again.discard(game_id)
            _active.discard(game_id)
            return


def _play(game_id: str, generation: int) -> None:
    from games import service

    delay = float(getattr(settings, "AUTOPLAY_TURN_DELAY_SECONDS", 0))
    conflicts = 0
    for _ in range(int(getattr(settings, "AUTOPLAY_MAX_TURNS", 5000))):
        if generation != _generation:
            return
        outcome = service.autoplay_turn(game_id)
        if outcome == "idle":
            return
        conflicts = conflicts + 1 if outcome == "conflict" else 0
        if conflicts >= MAX_CONFLICTS_IN_A_ROW:
            logger.warning("autoplay gave up: the game keeps changing under it", extra={"game_id": game_id})
            return
        if delay and _stopping.wait(delay):
            return


def is_driving(game_id: str) -> bool:
    with _lock:
        return game_id in _active


def wait_idle(timeout: float = 30.0) -> bool:
    """Wait until no game is being driven (tests, shutdown). True when idle."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if not _active:
                return True
        time.sleep(0.01)
    return False


def stop_all(timeout: float = 30.0) -> bool:
    """Drop queued work and stop every running loop after its current turn (tests, shutdown)."""
    global _generation
    with _lock:
        _generation += 1
        _again.clear()
    _stopping.set()
    try:
        return wait_idle(timeout)
    finally:
        _stopping.clear()
