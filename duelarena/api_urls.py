"""The API's URL patterns, imported on the first request under /api/ (see duelarena/urls.py).

Loading them declares every router's schemas (~90 pydantic models, see duelarena/api.py) and ninja's
operations: a few hundred thousand objects that live as long as the process. The cyclic garbage
collector is paused while they are made (it otherwise ran ~140 times, 15% of the first API request's
time, scanning them again and again) and they are then moved out of its generations with
``gc.freeze()``, as duelarena/wsgi.py does for Django's start-up.
"""

import gc

_collecting = gc.isenabled()
gc.disable()
try:
    from duelarena.api import api, mount_routers

    mount_routers()
    urlpatterns, app_name, _namespace = api.urls
finally:
    if _collecting:
        gc.enable()
gc.freeze()
