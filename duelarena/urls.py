from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from duelarena import health
from duelarena.api import api, mount_routers
from games import events

mount_routers()

urlpatterns = [
    path("health", health.health, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    path("api/", api.urls),
    path("auth/google/", account_views.start, name="google-start"),
    path("auth/", include("social_django.urls", namespace="social")),
    path("admin/", admin.site.urls),
    # SQS batches from the Lambda Web Adapter (normally answered by PassThroughEventsMiddleware first).
    path("events", events.receive, name="events"),
]
