from django.contrib import admin
from django.urls import path

from duelarena import health
from duelarena.api import api, mount_routers

mount_routers()

urlpatterns = [
    path("health", health.health, name="health"),
    path("health/ready", health.ready, name="health-ready"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
