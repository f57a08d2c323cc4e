"""The port through which the game service asks for an AI turn to be played in the background.

The service calls ``enqueue(game_id, ply)`` after every write that leaves an AI turn to be driven
(autoplay on, or a step asked for), with ``engine=True`` when that work runs Stockfish
(``games.service.needs_engine``: the backend may send it to the engine queue). Which backend plays it is
wired at start-up by ``games.apps`` (``games.tasks``: the in-process runner or SQS), so the service
never imports the code that calls it back. Enqueueing is best effort by design: the game's turn is
already recorded as due in the table (the due index, see ``games.tasks``), so a queue that is down
delays the turn until the sweeper sends it again; it never fails the request that recorded a move.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger("duelarena.scheduling")

Backend = Callable[[str, int, float, bool], None]  # game id, ply, delay in seconds, engine work
_backend: Backend | None = None


def set_backend(backend: Backend | None) -> None:
    global _backend
    _backend = backend


def get_backend() -> Backend | None:
    return _backend


def enqueue(game_id: str, ply: int, *, delay_seconds: float = 0, engine: bool = False) -> bool:
    """Ask the backend to play the game's turn at ``ply`` (``engine``: the work runs Stockfish). False
    when it could not be asked now (the sweeper will, once the turn is overdue)."""
    if _backend is None:
        logger.warning("no turn backend is wired; the sweeper will drive the game", extra={"game_id": game_id})
        return False
    try:
        _backend(game_id, ply, delay_seconds, engine)
    except Exception as exc:  # the turn stays due: losing this message only delays it
        logger.warning(
            "turn not enqueued; the sweeper will send it again",
            extra={"game_id": game_id, "ply": ply, "error": type(exc).__name__},
        )
        return False
    return True
