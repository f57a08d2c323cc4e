"""The spectator page's server side: `/watch/` serves the static page with its assets, and no API
request (nor startup) imports it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("path", ["/watch/", "/watch/01JABCDEFGHJKMNPQRSTVWXYZ0"])
def test_page_is_served_with_its_assets(client, path):
    page = client.get(path)
    assert page.status_code == 200
    assert page["Content-Type"].startswith("text/html")
    html = page.content.decode()
    assert '<main id="app"' in html
    assert 'src="/static/watch/watch.js"' in html and 'href="/static/watch/watch.css"' in html
    # pytest-django runs with DEBUG off, so WhiteNoise does not serve from the finders here; the browser
    # tests load them through gunicorn. Here: the static files app finds them.
    from django.contrib.staticfiles import finders

    assert finders.find("watch/watch.js") and finders.find("watch/watch.css")


def test_page_refuses_writes(client):
    assert client.post("/watch/").status_code == 405


def test_the_static_index_works_from_any_server():
    """The same index.html is served as-is by any web server: assets by relative links, no CDN."""
    html = (REPO / "games" / "static" / "watch" / "index.html").read_text()
    assert 'src="watch.js"' in html and 'href="watch.css"' in html
    assert "http://" not in html and "https://" not in html
    script = (REPO / "games" / "static" / "watch" / "watch.js").read_text()
    assert "https://" not in script and "cdn" not in script.lower()


def test_api_requests_and_startup_do_not_import_the_page():
    """(Building a URL with `reverse` loads every lazy sub-tree; serving an API request does not.)"""
    code = (
        "import sys, django; django.setup();"
        "from django.test import Client; c = Client();"
        "assert c.get('/health').status_code == 200;"
        "assert c.get('/api/games/not-an-id!').status_code == 404;"
        "print('games.watch' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip().splitlines()[-1] == "False", done.stderr
