from django.contrib import admin

# The admin login page offers Google sign-in next to the password form (createadmin users).
admin.site.login_template = "admin/arena_login.html"
admin.site.site_header = "Duel Arena administration"
admin.site.site_title = "Duel Arena admin"
admin.site.index_template = "admin/arena_index.html"
