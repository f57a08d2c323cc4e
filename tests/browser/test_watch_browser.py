"""The spectator page (/watch/) in headless Chromium against gunicorn + DynamoDB Local.

Each game type is created through the API as a signed-in user between built-in bots, the page is
opened on it, autoplay is started (with a small AUTOPLAY_TURN_DELAY_SECONDS so there is something to
follow), and the page must follow it live to its end and show the same final position and moves as the
API. The same files, served by a plain static server on another origin, read the API cross-origin
(CORS_ALLOWED_ORIGINS). A frontend on another origin also creates a game, plays it to its end and reads
the leaderboard with fetch() and a bearer token (preflights with Authorization and JSON).

Set WATCH_SCREENSHOTS=<dir> to save a screenshot of each finished board.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
import time
from pathlib import Path

import pytest

from deploy.web_client import call

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "games" / "static" / "watch"
# A turn delay and game lengths that keep every game live for several seconds: the page polls every
# 1-1.5 s while it follows a game, so it sees positions between the start and the end even when a busy
# machine stretches its timers (at 0.25 s a 5-round rps game, 10 plies, once ended between two polls of a CI run).
TURN_DELAY = "0.5"
GAMES = {
    "chess": ("builtin:searcher", "builtin:random", {"max_plies": 24}),
    "tictactoe": ("builtin:perfect", "builtin:random", None),
    "rps": ("builtin:pattern", "builtin:random", {"rounds": 7}),
    "racing": ("builtin:racer", "builtin:random", {"track_length": 30}),
    "words": ("builtin:wordsmith", "builtin:random", {"rounds": 4}),
}
FOLLOW_TIMEOUT = 120


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture(scope="module")
def static_origin():
    """A plain static web server (another origin) serving the page's files as they are in the repo."""
    handler = functools.partial(_QuietHandler, directory=str(STATIC))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def watch_server(live_server_env, static_origin):
    """gunicorn as `make run` starts it, with a turn delay, allowing the static origin (CORS)."""
    from tests.servers import create_table, start_server, stop_server

    env = dict(
        live_server_env,
        DYNAMODB_TABLE=live_server_env["DYNAMODB_TABLE"] + "-watch",
        AUTOPLAY_TURN_DELAY_SECONDS=TURN_DELAY,
        CORS_ALLOWED_ORIGINS=static_origin,
    )
    create_table(env)
    proc, base = start_server(env, log_name="gunicorn-watch.log")
    yield base, env
    stop_server(proc)


@pytest.fixture
def token(settings, watch_server):
    """A user in the server's table and an access token for it (same JWT settings as the server)."""
    from accounts import tokens, users
    from duelarena.dynamo import connection, keys

    _, env = watch_server
    settings.DYNAMODB_ENDPOINT_URL = env["DYNAMODB_ENDPOINT_URL"]
    settings.DYNAMODB_TABLE = env["DYNAMODB_TABLE"]
    connection.reset()
    user, _ = users.create(f"watch-{keys.new_id()[:8]}@example.com")
    yield tokens.issue_access(user)
    connection.reset()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _create(base: str, token: str, game_type: str) -> dict:
    white, black, options = GAMES[game_type]
    body = {"game_type": game_type, "white_model": white, "black_model": black, "options": options}
    reply = call("POST", base + "/api/games", body, headers=_auth(token))
    assert reply.status == 201, reply.body
    return reply.json()


def _game_element(driver) -> dict | None:
    return driver.execute_script(
        "var g = document.getElementById('game'); if (!g) return null;"
        "return {status: g.dataset.status, ply: +g.dataset.ply, moves: +g.dataset.moves, id: g.dataset.gameId,"
        " mode: g.dataset.pollMode, source: g.dataset.movesSource,"
        " poll: (document.getElementById('poll-status') || {}).textContent};"
    )


def _follow(driver, base: str, token: str, game_id: str) -> list[dict]:
    """Start autoplay once the page shows the game, then watch the page until it shows the game over.
    Returns what the page showed along the way."""
    deadline = time.monotonic() + 15
    while not (_game_element(driver) or {}).get("id") == game_id:
        assert time.monotonic() < deadline, driver.page_source[:2000]
        time.sleep(0.1)
    started = call("POST", f"{base}/api/games/{game_id}/autoplay", headers=_auth(token))
    assert started.status == 200, started.body
    seen: list[dict] = []
    deadline = time.monotonic() + FOLLOW_TIMEOUT
    while True:
        shown = _game_element(driver)
        if shown and (not seen or shown["ply"] != seen[-1]["ply"] or shown["status"] != seen[-1]["status"]):
            seen.append(shown)
        if shown and shown["status"] in ("finished", "aborted"):
            return seen
        assert time.monotonic() < deadline, f"the page did not see the end; it showed {seen[-3:]}"
        time.sleep(0.1)


def _check_board(driver, game: dict) -> None:
    """The page's board shows the API's final state."""
    from selenium.webdriver.common.by import By

    state = game["state"]
    kind = game["game_type"]
    if kind == "chess":
        shown = driver.find_element(By.CSS_SELECTOR, ".chess").get_attribute("data-fen")
        assert shown == state["fen"]
        import chess

        board = chess.Board(state["fen"])
        for square in driver.find_elements(By.CSS_SELECTOR, ".chess .sq"):
            piece = board.piece_at(chess.parse_square(square.get_attribute("data-square")))
            assert (square.get_attribute("data-piece") or None) == (piece.symbol() if piece else None)
        assert len(driver.find_elements(By.CSS_SELECTOR, ".chess .sq")) == 64
    elif kind == "tictactoe":
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, ".ttt .cell")]
        assert cells == state["board"]
    elif kind == "rps":
        rows = driver.find_elements(By.CSS_SELECTOR, ".rps .rounds tbody tr.round")
        assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == [r["white"] for r in state["rounds"]]
        assert [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows] == [r["black"] for r in state["rounds"]]
    elif kind == "racing":
        for seat in ("white", "black"):
            car = driver.find_element(By.CSS_SELECTOR, f".track .car-{seat}")
            assert int(car.get_attribute("data-position")) == state["cars"][seat]["position"]
        assert len(driver.find_elements(By.CSS_SELECTOR, ".track .curve")) == len(state["curves"])
    elif kind == "words":
        words = [w.get_attribute("data-word") for w in driver.find_elements(By.CSS_SELECTOR, ".chain li[data-word]")]
        assert words == [w["word"] for w in state["words"]]
        assert driver.find_element(By.CSS_SELECTOR, ".chain .start strong").text == state["start_word"]


def _screenshot(driver, name: str) -> None:
    target = os.environ.get("WATCH_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(Path(target) / f"watch-{name}.png"))


def _followed_to_the_end(driver, base: str, token: str, game: dict, page_url: str) -> None:
    try:
        driver.get(page_url)
        seen = _follow(driver, base, token, game["id"])
        final = call("GET", f"{base}/api/games/{game['id']}").json()
        shown = seen[-1]
        assert final["status"] == "finished" and shown["ply"] == final["ply"] and shown["moves"] == len(final["moves"])
        # it followed the game live: it showed positions between the start and the end
        assert any(s["status"] == "live" and 0 < s["ply"] < final["ply"] for s in seen), seen
        assert "game over" in shown["poll"]
        # A finished chess or tic-tac-toe game is drawn once more when its analysis arrives: wait for
        # that first, so that the elements read below are not replaced while they are read.
        if game["game_type"] == "tictactoe" or (game["game_type"] == "chess" and _stockfish()):
            _shows_the_move_analysis(driver)
        _check_board(driver, final)
        result = driver.find_element("id", "result").text
        assert (final["termination"] or "").replace("_", " ") in result
        moves = driver.find_elements("css selector", "#moves li.move")
        assert len(moves) == len(final["moves"])
        assert "attempt" in moves[0].text and "tokens" in moves[0].text and "$" in moves[0].text
        _screenshot(driver, game["game_type"] + ("-cross-origin" if "?api=" in page_url else ""))
    except Exception:
        (REPO / ".data").mkdir(exist_ok=True)
        driver.save_screenshot(str(REPO / ".data" / f"watch-failure-{game['game_type']}.png"))
        (REPO / ".data" / f"watch-failure-{game['game_type']}.html").write_text(driver.page_source)
        raise


def _stockfish() -> bool:
    from games import engine

    return engine.available()


def _shows_the_move_analysis(driver) -> None:
    """The turn workers analyse a finished chess or tic-tac-toe game; the page keeps polling until the
    analysis is there, then shows each move's quality and the seats' summary."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 90).until(lambda d: d.find_elements("id", "analysis"))
    summary = driver.find_element("id", "analysis").text
    assert "move quality" in summary and "accuracy" in summary
    qualities = driver.find_elements("css selector", "#moves li.move .quality")
    assert qualities and all(q.text for q in qualities)


@pytest.mark.slow
@pytest.mark.parametrize("game_type", sorted(GAMES))
def test_the_page_follows_an_autoplaying_game_to_its_end(browser, watch_server, token, game_type):
    base, _ = watch_server
    game = _create(base, token, game_type)
    _followed_to_the_end(browser, base, token, game, f"{base}/watch/{game['id']}")


def test_the_list_shows_live_and_recent_games_and_opens_one(browser, watch_server, token):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = watch_server
    live = _create(base, token, "tictactoe")
    finished = _create(base, token, "rps")
    url = f"{base}/api/games/{finished['id']}"
    while call("GET", url).json()["status"] == "live":  # play it out, turn by turn
        assert call("POST", url + "/step", headers=_auth(token)).status == 200
    browser.get(base + "/watch/")
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#game-list[data-loaded]"))
    live_ids = [
        r.get_attribute("data-game-id") for r in browser.find_elements(By.CSS_SELECTOR, "#live-games tr.game-row")
    ]
    recent_ids = [
        r.get_attribute("data-game-id") for r in browser.find_elements(By.CSS_SELECTOR, "#recent-games tr.game-row")
    ]
    assert live["id"] in live_ids and live["id"] not in recent_ids
    assert finished["id"] in recent_ids and finished["id"] not in live_ids
    row = browser.find_element(By.CSS_SELECTOR, f'#recent-games tr[data-game-id="{finished["id"]}"]')
    assert "rps" in row.text and "builtin:pattern vs builtin:random" in row.text
    _screenshot(browser, "list")
    row.find_element(By.TAG_NAME, "a").click()
    WebDriverWait(browser, 15).until(lambda d: (_game_element(d) or {}).get("id") == finished["id"])
    assert browser.current_url.endswith("#/games/" + finished["id"])
    assert _game_element(browser)["status"] == "finished"


def test_an_unknown_game_shows_the_api_error(browser, watch_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, _ = watch_server
    browser.get(base + "/watch/#/games/01JZZZZZZZZZZZZZZZZZZZZZZZ")
    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.ID, "game-error"))
    assert "404" in browser.find_element(By.ID, "game-error").text


@pytest.mark.slow
def test_the_page_from_another_origin_reads_the_api(browser, watch_server, token, static_origin):
    base, _ = watch_server
    preflight = call(
        "OPTIONS",
        base + "/api/games",
        headers={"Origin": static_origin, "Access-Control-Request-Method": "GET"},
    )
    assert preflight.headers.get("access-control-allow-origin") == static_origin  # CORS_ALLOWED_ORIGINS
    game = _create(base, token, "chess")  # long enough to be seen live between polls, even on a busy machine
    _followed_to_the_end(browser, base, token, game, f"{static_origin}/index.html?api={base}#/games/{game['id']}")
    browser.get(f"{static_origin}/index.html?api={base}#/")
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 15).until(lambda d: d.find_elements(By.CSS_SELECTOR, "#game-list[data-loaded]"))
    assert browser.find_elements(By.CSS_SELECTOR, f'tr[data-game-id="{game["id"]}"]')


FRONTEND_SCRIPT = """
const [api, token, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
const headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"};
async function call(method, path, body) {
  const reply = await fetch(api + path, {method, headers, body: body ? JSON.stringify(body) : undefined});
  const text = await reply.text();
  return {status: reply.status, body: text ? JSON.parse(text) : null};
}
(async () => {
  const log = [];
  const created = await call("POST", "/api/games", {game_type: "tictactoe", white_model: "human",
                                                    black_model: "builtin:perfect", options: {}});
  log.push(created.status);
  let game = created.body;
  for (let i = 0; i < 9 && game.status === "live"; i++) {
    if (game.to_move[0] === "white") {
      const move = game.legal_moves[0].move;  // offered by the API: no rules in the frontend
      game = (await call("POST", `/api/games/${game.id}/moves`, {move, expected_ply: game.ply})).body;
    } else {
      game = (await call("POST", `/api/games/${game.id}/step`)).body;
    }
  }
  const board = await call("GET", "/api/leaderboard?game_type=tictactoe");
  done({log, status: game.status, termination: game.termination, board: board.status});
})().catch(error => done({error: String(error)}));
"""


def test_a_frontend_on_another_origin_creates_plays_and_reads_the_leaderboard(
    browser, watch_server, token, static_origin
):
    base, _ = watch_server
    browser.get(f"{static_origin}/index.html")  # any page of the other origin: the script runs there
    browser.set_script_timeout(60)
    outcome = browser.execute_async_script(FRONTEND_SCRIPT, base, token)
    assert "error" not in outcome, outcome
    assert outcome["log"] == [201] and outcome["status"] == "finished" and outcome["board"] == 200, outcome
