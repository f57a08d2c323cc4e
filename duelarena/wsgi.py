"""The WSGI application (gunicorn loads it in each worker: deploy/gunicorn.conf.py)."""

import gc
import os
from typing import Any


def _load() -> Any:
    from django.core.wsgi import get_wsgi_application

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duelarena.settings")
    return get_wsgi_application()


# Everything Django's set-up imports and makes (settings, apps, admin, middleware) lives as long as the
# process. The cyclic collector is paused while it is made (it ran ~160 times, ~12% of the set-up,
# rescanning those objects) and they are then moved out of its generations, so later collections do not
# re-scan them either: the first request that builds the DynamoDB client (tens of thousands of objects) got
# ~2x faster (bench/cold_start.py). duelarena/api_urls.py does the same for the API's URL tree.
_collecting = gc.isenabled()
gc.disable()
try:
    application = _load()
finally:
    if _collecting:
        gc.enable()
gc.freeze()
