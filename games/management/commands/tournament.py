"""``manage.py tournament``: a round robin between players, played to the end, resumable.

    python manage.py tournament --game chess --players builtin:searcher,builtin:random --rounds 2 \\
        [--owner you@example.com] [--seed 7] [--id my-cup] [--option max_plies=120]

Schedule: every round, every pair of players plays twice with colours swapped. Both games of a pair in
a round share their seed and, for chess, an opening drawn by seed from ``OPENINGS`` (passed to the rules
as ``start_fen``), so each side gets the same position with each colour. Other games use the shared seed
(the same racing track, the same start word...).

Resuming: the schedule is stored in DynamoDB (``TOURNAMENT#<id> / META``, the dynamorm model
``duelarena.dynamo.models.Tournament``: a conditional put, and a get when it exists) under an id derived from the
arguments (or given with ``--id``), and every pairing's game has an id derived from the tournament id and
the pairing's index, created with a conditional put. Re-running the same command therefore finds the
same games: finished ones are never replayed, a game that was left half-played is played on from its
stored state, and a pairing whose game was created just before a crash reuses it instead of creating
a second one.

Games are played through the game service (``service.play_until_over``), so every turn is the same
recorded, version-checked write as in the API, and model turns are charged to the owner's daily budget.
When the budget is used up the command stops with a message saying so (the game in progress stays
paused and is resumed by the next run). The leaderboard of the game type is recomputed once at the end
(and on any interruption), then the results and the leaderboard are printed.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sys
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from games.vocabulary import GameResult

DEFAULT_OWNER = "tournament@duelarena.local"
_NAMESPACE = uuid.UUID("6c2b7f0e-3f4a-4d8e-9a57-2f6f1c1d9e0b")
_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_SEED = 2**53 - 1

# Well-known openings as SAN moves from the starting position (turned into FEN with python-chess).
OPENINGS: tuple[tuple[str, str], ...] = (
    ("Italian Game", "e4 e5 Nf3 Nc6 Bc4"),
    ("Ruy Lopez", "e4 e5 Nf3 Nc6 Bb5"),
    ("Sicilian Defence", "e4 c5"),
    ("French Defence", "e4 e6"),
    ("Caro-Kann Defence", "e4 c6"),
    ("Scandinavian Defence", "e4 d5"),
    ("Queen's Gambit", "d4 d5 c4"),
    ("King's Indian Defence", "d4 Nf6 c4 g6"),
    ("London System", "d4 d5 Bf4"),
    ("English Opening", "c4"),
)


def opening_fen(moves: str) -> str:
    import chess

    board = chess.Board()
    for san in moves.split():
        board.push_san(san)
    return board.fen()


@dataclass(frozen=True)
class Pairing:
    index: int
    round: int
    white: str
    black: str
    seed: int
    opening: str | None = None
    start_fen: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def tournament_id(spec: dict[str, Any]) -> str:
    """The id a tournament gets from its arguments: the same command always resumes the same tournament."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return uuid.uuid5(_NAMESPACE, canonical).hex


def game_id(tid: str, index: int) -> str:
    """The id of the game of pairing ``index``: fixed, so a pairing can never get two games."""
    return hashlib.sha256(f"tournament:{tid}:{index}".encode()).hexdigest()[:32]


def schedule(game_type: str, players: list[str], rounds: int, seed: int) -> list[Pairing]:
    """Round robin, colours swapped: per round, per pair, two games sharing a seed (and a chess opening)."""
    pairings: list[Pairing] = []
    for round_number in range(1, rounds + 1):
        for pair_number, (a, b) in enumerate(combinations(players, 2)):
            rng = random.Random(f"{seed}:{round_number}:{pair_number}")
            game_seed = rng.randrange(MAX_SEED)
            opening, fen = None, None
            if game_type == "chess":
                opening, moves = OPENINGS[rng.randrange(len(OPENINGS))]
                fen = opening_fen(moves)
            for white, black in ((a, b), (b, a)):
                pairings.append(Pairing(len(pairings), round_number, white, black, game_seed, opening, fen))
    return pairings


def _parse_options(values: Iterable[str]) -> dict[str, Any]:
    options: dict[str, Any] = {}
    for value in values:
        key, sep, raw = value.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"--option takes key=value, not {value!r}")
        try:
            options[key.strip()] = json.loads(raw)
        except ValueError:
            options[key.strip()] = raw
    return options


class Command(BaseCommand):
    help = "Play a round-robin tournament (colours swapped, seeded openings); re-running resumes it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--game", required=True, help="game type: chess, tictactoe, rps, racing, words")
        parser.add_argument("--players", required=True, help="comma-separated player names (2 or more)")
        parser.add_argument("--rounds", type=int, default=1, help="rounds; each pair plays twice per round")
        parser.add_argument("--owner", default=DEFAULT_OWNER, help="email of the user who owns and pays")
        parser.add_argument("--seed", type=int, default=0, help="seed of the openings and game seeds")
        parser.add_argument("--id", dest="tournament_id", help="tournament id (default: derived from arguments)")
        parser.add_argument(
            "--option", action="append", default=[], metavar="KEY=VALUE", help="a rules option, e.g. max_plies=120"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args: Any, **opts: Any) -> None:
        from accounts import users
        from games import leaderboard

        game_type = opts["game"]
        players = self._players(game_type, opts["players"])
        rounds, seed = opts["rounds"], opts["seed"]
        if rounds < 1:
            raise CommandError("--rounds must be at least 1")
        if not 0 <= seed <= MAX_SEED:
            raise CommandError(f"--seed must be between 0 and {MAX_SEED}")
        options = _parse_options(opts["option"])
        for reserved in ("seed", "start_fen"):
            if reserved in options:
                raise CommandError(f"--option {reserved} is set by the tournament (use --seed)")
        self._check_options(game_type, options)
        try:
            owner, _ = users.create(opts["owner"])
        except users.UserError as exc:
            raise CommandError(f"--owner: {exc}") from None
        spec = {
            "game_type": game_type,
            "players": players,
            "rounds": rounds,
            "seed": seed,
            "options": options,
            "owner_id": owner.id,
        }
        tid = opts["tournament_id"] or tournament_id(spec)
        if not _ID.match(tid):
            raise CommandError("--id may hold letters, digits, '-' and '_' (at most 64)")
        pairings = self._load_or_store(tid, spec)
        self.stdout.write(
            f"tournament {tid}: {game_type}, {len(players)} players, {rounds} round(s), {len(pairings)} games"
        )
        if options.get("legal_moves_hint"):
            self.stdout.write("note: with legal_moves_hint the games are unrated and do not count on the leaderboard")
        with leaderboard.deferred_refresh():
            try:
                stopped = self._play(tid, spec, owner, pairings, progress=not opts["no_progress"])
            except KeyboardInterrupt:
                stopped = "interrupted; run the same command again to resume (finished games are kept)"
        games = self._games(tid, pairings)
        self._print_results(tid, players, pairings, games)
        self._print_leaderboard(game_type)
        if stopped:
            raise CommandError(stopped)

    # ------------------------------------------------------------------------------------ checks

    def _players(self, game_type: str, text: str) -> list[str]:
        from games import catalog
        from games.rules import RULES

        if game_type not in RULES:
            raise CommandError(f"unknown game type {game_type!r}; known: {', '.join(sorted(RULES))}")
        players = [p.strip() for p in text.split(",") if p.strip()]
        if len(players) < 2:
            raise CommandError("--players needs at least two players")
        if len(set(players)) != len(players):
            raise CommandError("--players lists a player twice")
        for name in players:
            if name == catalog.HUMAN:
                raise CommandError("a tournament is played automatically: 'human' cannot take part")
            if catalog.find_player(name, game_type) is None:
                known = [p.name for p in catalog.available_players(game_type) if p.kind != "human"]
                raise CommandError(f"{name!r} cannot play {game_type} here; available: {', '.join(known)}")
        return players

    def _check_options(self, game_type: str, options: dict[str, Any]) -> None:
        from games.rules import RuleError, get_rules

        try:
            get_rules(game_type).validate_options(options)
        except RuleError as exc:
            raise CommandError(f"--option: {exc.message}") from None

    def _load_or_store(self, tid: str, spec: dict[str, Any]) -> list[Pairing]:
        from duelarena.dynamo import keys
        from duelarena.dynamo.errors import ConditionFailed
        from duelarena.dynamo.models import Tournament, item

        pk = f"TOURNAMENT#{tid}"
        pairings = schedule(spec["game_type"], spec["players"], spec["rounds"], spec["seed"])
        new = {
            "pk": pk,
            "sk": "META",
            "kind": "tournament",
            "id": tid,
            "spec": json.dumps(spec, sort_keys=True),
            "schedule": json.dumps([p.to_dict() for p in pairings]),
            "created_at": keys.now_iso(),
        }
        try:
            Tournament.put_unique(item(Tournament, new))  # the dynamorm model, conditioned on no such item
            return pairings
        except ConditionFailed:
            stored = Tournament.get(consistent=True, pk=pk, sk="META")
        assert stored is not None
        if json.loads(stored.spec) != spec:
            raise CommandError(
                f"tournament {tid} already exists with other settings: {stored.spec}; choose another --id"
            )
        self.stdout.write(f"resuming tournament {tid}")
        return [Pairing(**p) for p in json.loads(stored.schedule)]

    # ------------------------------------------------------------------------------------- play

    def _play(self, tid: str, spec: dict[str, Any], owner: Any, pairings: list[Pairing], *, progress: bool) -> str:
        """Play every pairing not yet over. Returns why it stopped early ('' when everything is done)."""
        from tqdm import tqdm

        from accounts.limits import LimitExceeded
        from duelarena.domain import DomainError
        from duelarena.errors import ApiError
        from games import store

        existing = self._games(tid, pairings)
        done = sum(1 for g in existing.values() if g is not None and not g.is_live)
        if done:
            self.stdout.write(f"{done} of {len(pairings)} games already finished; they are not replayed")
        bar = tqdm(total=len(pairings), initial=done, unit="game", file=sys.stderr, disable=not progress)
        try:
            for pairing in pairings:
                gid = game_id(tid, pairing.index)
                game = existing.get(gid)
                if game is not None and not game.is_live:
                    continue
                bar.set_description(f"{pairing.white} vs {pairing.black}")
                try:
                    game = self._play_one(spec, owner, pairing, gid, game)
                except LimitExceeded as exc:
                    return self._budget_message(owner, exc, pairings, tid)
                except (ApiError, DomainError) as exc:
                    return f"stopped at game {pairing.index + 1} ({pairing.white} vs {pairing.black}): {exc.message}"
                if game.is_live:
                    state = store.get(gid)
                    if state is not None and state.is_paused:
                        return self._budget_message(owner, None, pairings, tid)
                    return f"game {gid} did not finish within the turn limit; re-run to continue it"
                bar.update(1)
        finally:
            bar.close()
        return ""

    def _play_one(self, spec: dict[str, Any], owner: Any, pairing: Pairing, gid: str, game: Any) -> Any:
        from accounts import limits
        from duelarena.dynamo.errors import ConditionFailed
        from games import service
        from games.turns import calls_a_model

        options = dict(spec["options"])
        if pairing.start_fen:
            options["start_fen"] = pairing.start_fen
        if game is None:
            if any(calls_a_model(p, options) for p in (pairing.white, pairing.black)):
                limits.ensure_budget_left(owner)  # do not start a game that cannot be played
            try:
                service.create_game(
                    owner,
                    game_type=spec["game_type"],
                    white=pairing.white,
                    black=pairing.black,
                    options={**options, "seed": pairing.seed},
                    game_id=gid,
                )
            except ConditionFailed:
                pass  # created by an earlier run (or a concurrent one): play that game
        return service.play_until_over(gid)

    def _budget_message(self, owner: Any, exc: Exception | None, pairings: list[Pairing], tid: str) -> str:
        from accounts import limits

        spent = limits.spent_today(owner)
        finished = sum(1 for g in self._games(tid, pairings).values() if g is not None and not g.is_live)
        return (
            f"stopped: the daily budget of {owner.email} is used up ({spent} of {owner.budget_micros} "
            f"micro-dollars spent today). {finished} of {len(pairings)} games are finished; run the same "
            "command again when the budget allows (after midnight UTC or with a larger budget) to resume."
        )

    # ------------------------------------------------------------------------------------ output

    def _games(self, tid: str, pairings: list[Pairing]) -> dict[str, Any]:
        from games import store

        return {game_id(tid, p.index): store.get(game_id(tid, p.index)) for p in pairings}

    def _print_results(self, tid: str, players: list[str], pairings: list[Pairing], games: dict[str, Any]) -> None:
        record = {p: {"games": 0, "wins": 0, "draws": 0, "losses": 0} for p in players}
        cross: dict[tuple[str, str], list[int]] = {}
        finished = 0
        for pairing in pairings:
            game = games.get(game_id(tid, pairing.index))
            if game is None or game.result is None:
                continue
            finished += 1
            shares = {GameResult.FIRST: (1.0, 0.0), GameResult.SECOND: (0.0, 1.0), GameResult.DRAW: (0.5, 0.5)}
            scores = shares[game.result]
            sides = ((pairing.white, pairing.black, scores[0]), (pairing.black, pairing.white, scores[1]))
            for me, them, score in sides:
                row = record[me]
                row["games"] += 1
                row["wins" if score == 1 else "draws" if score == 0.5 else "losses"] += 1
                cell = cross.setdefault((me, them), [0, 0, 0])
                cell[0 if score == 1 else 1 if score == 0.5 else 2] += 1
        self.stdout.write(f"\nresults ({finished} of {len(pairings)} games finished):")
        width = max(len(p) for p in players)
        header = f"{'player':<{width}}  games  wins  draws  losses  points  " + "  ".join(f"vs {p}" for p in players)
        self.stdout.write(header)
        ranked = sorted(players, key=lambda p: -(record[p]["wins"] + record[p]["draws"] / 2))
        for p in ranked:
            row = record[p]
            points = row["wins"] + row["draws"] / 2
            cells = "  ".join(
                ("-" if p == q else "{}-{}-{}".format(*cross.get((p, q), [0, 0, 0]))).ljust(len(q) + 3) for q in players
            )
            self.stdout.write(
                f"{p:<{width}}  {row['games']:>5}  {row['wins']:>4}  {row['draws']:>5}  {row['losses']:>6}  "
                f"{points:>6}  {cells}"
            )

    def _print_leaderboard(self, game_type: str) -> None:
        from games import leaderboard

        board = leaderboard.read(game_type)
        method = board["method"]
        anchors = method.get("anchors") or {method.get("anchor"): method.get("anchor_rating")}
        anchored = ", ".join(f"{name} = {rating:g}" for name, rating in anchors.items())
        self.stdout.write(
            f"\nleaderboard: {game_type} ({board['rated_games']} rated games, {board['excluded_games']} excluded; "
            f"anchor {anchored})"
        )
        if not board["models"]:
            self.stdout.write("(no rated games yet)")
            return
        width = max(len(m["model"]) for m in board["models"])
        self.stdout.write(
            f"{'#':>2}  {'model':<{width}}  rating  95% interval     games  W-D-L       "
            "illegal/1k  tokens/game  cost/game"
        )
        for m in board["models"]:
            interval = f"[{m['ci_low']:.0f}, {m['ci_high']:.0f}]"
            wdl = f"{m['wins']}-{m['draws']}-{m['losses']}"
            illegal = "-" if m["illegal_per_1000_attempts"] is None else f"{m['illegal_per_1000_attempts']:.1f}"
            tokens = m["avg_tokens_per_game"] or 0
            cost = (m["avg_cost_micros_per_game"] or 0) / 1_000_000
            self.stdout.write(
                f"{m['rank']:>2}  {m['model']:<{width}}  {m['rating']:>6.0f}  {interval:<15}  {m['games']:>5}  "
                f"{wdl:<10}  {illegal:>10}  {tokens:>11.0f}  ${cost:.4f}"
            )
