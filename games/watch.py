"""`/watch/` and `/watch/<game id>`: the spectator page (games/static/watch/).

The page is static HTML, CSS and JavaScript that reads only the public JSON API from the browser; this
view serves its `index.html` with the asset links pointed at the static files (WhiteNoise serves them,
hashed names in production). The same files work unchanged from any other web server, with
`?api=<base URL of the app>`. This module is included lazily (duelarena/urls.py): neither the API
path nor startup imports it.
"""

from __future__ import annotations

from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import path
from django.views.decorators.http import require_safe

ASSETS = ("watch.css", "watch.js")


@cache
def _page() -> str:
    found = finders.find("watch/index.html") or ""
    if not found:  # collected but not findable (finders off): read the app's copy
        from pathlib import Path

        found = str(Path(__file__).resolve().parent / "static" / "watch" / "index.html")
    with open(found, encoding="utf-8") as handle:
        html = handle.read()
    for name in ASSETS:
        html = html.replace(f'"{name}"', f'"{static("watch/" + name)}"')
    return html


@require_safe
def page(request: HttpRequest, game_id: str | None = None) -> HttpResponse:
    """The spectator page; the game id in the path is read by the page's script."""
    response = HttpResponse(_page(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


app_name = "watch"
urlpatterns = [
    path("", page, name="list"),
    path("<str:game_id>", page, name="game"),
]
