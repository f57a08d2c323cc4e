"""The admin in headless Chromium against gunicorn + DynamoDB Local: log in, find a user's 120 games by
email, page through them, filter, open a chess game and see its board, and flag it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.e2e, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "browser-test-pass-phrase-7"
GAMES = 120
TYPES = ("chess", "tictactoe", "rps")


@pytest.fixture
def seeded(settings, live_server_env, gunicorn_server):
    """An admin and a player with 120 games (every third one chess, with moves) in the server's table."""
    from django.contrib.auth.hashers import make_password

    from accounts import users
    from duelarena.dynamo import connection, keys
    from duelarena.tests.admin_support import game_record, store_games

    settings.DYNAMODB_ENDPOINT_URL = live_server_env["DYNAMODB_ENDPOINT_URL"]
    settings.DYNAMODB_TABLE = live_server_env["DYNAMODB_TABLE"]
    connection.reset()
    suffix = keys.new_id()[:8]
    admin_email = f"admin-{suffix}@example.com"
    users.create(admin_email, roles=["admin", "player"], password_hash=make_password(PASSWORD))
    player, _ = users.create(f"player-{suffix}@example.com")
    base = datetime.now(UTC) - timedelta(days=1)  # older than anything other e2e tests create meanwhile
    games = [
        game_record(player, TYPES[i % 3], n=i, base=base, moves=["e4", "e5", "Nf3"] if TYPES[i % 3] == "chess" else [])
        for i in range(GAMES)
    ]
    store_games(games)
    yield {"base": gunicorn_server, "admin": admin_email, "player": player, "games": [g for g, _ in games]}
    connection.reset()


def _wait_for_new_page(driver, act) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = driver.find_element(By.TAG_NAME, "html")
    act()
    WebDriverWait(driver, 15).until(expected_conditions.staleness_of(old))
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _rows(driver) -> list[str]:
    from selenium.webdriver.common.by import By

    boxes = driver.find_elements(By.CSS_SELECTOR, "#result_list input.action-select")
    return [box.get_attribute("value") for box in boxes]


@pytest.mark.slow
def test_admin_in_a_browser(browser, seeded):
    from selenium.webdriver.common.by import By

    from games import store

    started = time.monotonic()
    driver, base = browser, seeded["base"]
    try:
        # log in with the password form
        driver.get(base + "/admin/login/?next=/admin/")
        driver.find_element(By.ID, "id_username").send_keys(seeded["admin"])
        driver.find_element(By.ID, "id_password").send_keys(PASSWORD)
        _wait_for_new_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click())
        assert driver.current_url.rstrip("/").endswith("/admin")
        assert "Recent actions" in driver.page_source

        # the games list; the search box turns an email into that user's games
        _wait_for_new_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, 'a[href="/admin/games/game/"]').click())
        search = driver.find_element(By.ID, "searchbar")
        search.send_keys(seeded["player"].email)
        _wait_for_new_page(driver, search.submit)
        assert f"owner={seeded['player'].id}" in driver.current_url

        # page through all 120 with Next (50 + 50 + 20), newest first
        seen = _rows(driver)
        while next_links := driver.find_elements(By.CSS_SELECTOR, "#changelist .paginator a.next"):
            _wait_for_new_page(driver, next_links[0].click)
            assert driver.find_elements(By.CSS_SELECTOR, "#changelist .paginator a.first")
            seen += _rows(driver)
        newest_first = [g.id for g in sorted(seeded["games"], key=lambda g: g.created_at, reverse=True)]
        assert seen == newest_first

        # filter by game type in the sidebar (the owner filter stays)
        chess_link = driver.find_element(By.XPATH, '//a[@data-filter="game_type" and normalize-space()="chess"]')
        _wait_for_new_page(driver, chess_link.click)
        assert "game_type=chess" in driver.current_url and f"owner={seeded['player'].id}" in driver.current_url
        chess_ids, types = [], set()
        while True:  # a filter applies after the read: pages hold only the matches among what was read
            chess_ids += _rows(driver)
            types |= {cell.text for cell in driver.find_elements(By.CSS_SELECTOR, "#result_list td.field-game_type")}
            next_links = driver.find_elements(By.CSS_SELECTOR, "#changelist .paginator a.next")
            if not next_links:
                break
            _wait_for_new_page(driver, next_links[0].click)
        assert len(chess_ids) == GAMES // 3 and types == {"chess"}
        first_page = driver.find_element(By.CSS_SELECTOR, "#changelist .paginator a.first")
        _wait_for_new_page(driver, first_page.click)

        # open a chess game: the board is an SVG
        _wait_for_new_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, "#result_list th.field-id a").click())
        board = driver.find_element(By.CSS_SELECTOR, ".board-chess svg")
        assert board.is_displayed() and board.size["width"] >= 300
        assert len(driver.find_elements(By.CSS_SELECTOR, "#moves tr.move")) == 3

        # flag it
        _wait_for_new_page(driver, lambda: driver.find_element(By.CSS_SELECTOR, 'input[data-action="flag"]').click())
        message = driver.find_element(By.CSS_SELECTOR, ".messagelist .success").text
        assert message.startswith("Flagged chess:")
        assert driver.find_elements(By.CSS_SELECTOR, 'input[data-action="unflag"]')
        assert store.get(chess_ids[0]).flagged is True
    except Exception:
        if (REPO / ".data").is_dir():
            driver.save_screenshot(str(REPO / ".data" / "browser-failure.png"))
            (REPO / ".data" / "browser-failure.html").write_text(driver.page_source)
        raise
    assert time.monotonic() - started < 45
