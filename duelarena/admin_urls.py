"""The admin's URL patterns, imported on the first request under /admin/ (see duelarena/urls.py), or by
the first ``reverse("admin:...")``.

The model admins are discovered here rather than while Django starts (``INSTALLED_APPS`` lists the
admin's ``SimpleAdminConfig``, which does not autodiscover): importing every app's ``admin`` module
(the DynamoDB admin base, the throttled login form, the budget and provider modules it shows) took
20-40 ms of every cold start, and API and health requests never use them. ``manage.py check`` still
checks them: ``duelarena.checks.model_admins`` discovers them first.
"""

from django.contrib import admin

admin.autodiscover()

app_name = "admin"
urlpatterns = admin.site.get_urls()
