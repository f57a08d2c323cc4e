"""The API's URL patterns, imported on the first request under /api/ (see duelarena/urls.py)."""

from duelarena.api import api, mount_routers

mount_routers()
urlpatterns, app_name, _namespace = api.urls
