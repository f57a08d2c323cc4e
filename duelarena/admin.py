"""The admin site's look (the project wires it; each app registers its own admins over DynamoDB).

Autodiscovered first among the project's apps (``duelarena`` comes before ``accounts`` and ``games`` in
``INSTALLED_APPS``), after the Django apps whose ORM admins it takes out (social-auth is not an app here:
see settings.INSTALLED_APPS).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin

from accounts.forms import ThrottledAdminAuthenticationForm

# The admin login page offers Google sign-in next to the password form (createadmin users).
admin.site.login_template = "admin/arena_login.html"
admin.site.login_form = ThrottledAdminAuthenticationForm  # password attempts are throttled (accounts/throttle.py)
admin.site.site_header = "Duel Arena administration"
admin.site.site_title = "Duel Arena admin"
admin.site.index_template = "admin/arena_index.html"  # "Recent actions" from the audit log, not LogEntry

# Groups live in the ORM: with DATABASES = {} their admin pages could only fail. Roles replace them.
_groups = apps.get_model("auth.Group")
if admin.site.is_registered(_groups):
    admin.site.unregister(_groups)
