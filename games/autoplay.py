"""The in-process task backend: worker threads that drive games, and a sweeper thread.

``enqueue(game_id)``: "play this game's due AI turns until it is no longer driven". A worker plays
each turn through ``service.play_due_turn`` (lease, one version-checked write, next due time), so a
worker racing a manual step, another worker or another gunicorn process only ever finds the turn
busy or already played; it never records a move twice. The sweeper (``games.tasks.sweep``) runs when
the runner starts (``start(sweep)``, called from gunicorn's ``post_worker_init``) and every
``TURN_SWEEP_SECONDS``: it brings back every game whose turn is overdue, so a game dropped by an
error, a killed worker, a storage outage or a restart is driven again without anyone asking.

This backend suits gunicorn on a laptop or a server, not Lambda (a frozen sandbox runs no threads:
there the ``sqs`` backend and a scheduled sweep do the same work).

Settings (read with defaults): ``AUTOPLAY_WORKERS`` (threads, default 4), ``AUTOPLAY_TURN_DELAY_SECONDS``
(pause between turns so spectators can follow, default 0), ``AUTOPLAY_MAX_TURNS`` (safety stop per run,
default 5000), ``TURN_SWEEP_SECONDS`` (default 5).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from django.conf import settings

logger = logging.getLogger("duelarena.autoplay")

_lock = threading.Lock()
_jobs: queue.Queue[tuple[str, int]] = queue.Queue()
_threads: list[threading.Thread] = []
_sweeper: threading.Thread | None = None
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


def start(sweep: Callable[[], object]) -> None:
    """Start the workers and the sweeper (gunicorn's ``post_worker_init`` passes ``games.tasks.sweep``,
    which enqueues through this runner: the runner does not import it back). A sweep runs at once, so
    games left due by a previous process (a restart, a killed worker) are driven again."""
    global _sweeper
    with _lock:
        _ensure_workers()
        if _sweeper is None or not _sweeper.is_alive():
            _sweeper = threading.Thread(target=_sweep_forever, args=(sweep,), name="turn-sweeper", daemon=True)
            _sweeper.start()


def _sweep_forever(sweep: Callable[[], object]) -> None:
    every = max(0.5, float(getattr(settings, "TURN_SWEEP_SECONDS", 5)))
    while True:
        try:
            sweep()
        except Exception as exc:  # storage down: the next sweep tries again
            logger.warning("turn sweep failed", extra={"error": f"{type(exc).__name__}: {exc}"})
        if _stopping.wait(every):
            return


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
        except Exception as exc:  # a worker survives any game's failure; the game's due time brings it back
            logger.warning(
                "autoplay turn failed; it will be retried", extra={"game_id": game_id, "error": type(exc).__name__}
            )
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
    for _ in range(int(getattr(settings, "AUTOPLAY_MAX_TURNS", 5000))):
        if generation != _generation:
            return
        with _lock:
            _again.discard(game_id)  # this look covers any enqueue made before it
        outcome = service.play_due_turn(game_id)
        if outcome != service.TurnOutcome.PLAYED:
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
    """Drop queued work, stop the sweeper and every running loop after its current turn (tests,
    shutdown). A turn cut off here stays due in the table: the next process's sweep plays it."""
    global _generation, _sweeper
    with _lock:
        _generation += 1
        _again.clear()
    _stopping.set()
    try:
        idle = wait_idle(timeout)
        if _sweeper is not None:
            _sweeper.join(timeout=1)
            _sweeper = None
        return idle
    finally:
        _stopping.clear()
