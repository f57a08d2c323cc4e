"""URL tree. The API, admin and social-auth sub-trees are imported on the first request under their prefix:
`lazy_include` gives Django's URLResolver a module *name*, which it imports only when a path under
that prefix is resolved (or when `reverse` needs it). Health checks and admin requests then never pay
for django-ninja/pydantic or social-auth's views at cold start; the first /api request does. Health and
API requests never load the model admins (duelarena/admin_urls.py); the first admin request does. The
spectator page (`/watch/`) is included the same way, so no API request imports it."""

from django.urls import path
from django.urls.resolvers import RoutePattern, URLResolver

from accounts import views as account_views
from duelarena import health
from games.events import receive as events


def lazy_include(route: str, module: str, namespace: str) -> URLResolver:
    return URLResolver(RoutePattern(route, is_endpoint=False), module, app_name=namespace, namespace=namespace)


urlpatterns = [
    path("health", health.health, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    # SQS batches from the Lambda Web Adapter (normally answered by PassThroughEventsMiddleware first).
    path("events", events, name="events"),
    lazy_include("api/", "duelarena.api_urls", "api"),
    path("auth/google/", account_views.start, name="google-start"),
    lazy_include("auth/", "social_django.urls", "social"),
    lazy_include("admin/", "duelarena.admin_urls", "admin"),  # the model admins are discovered there
    lazy_include("watch/", "games.watch", "watch"),  # the spectator page (static HTML + JS over the API)
]
