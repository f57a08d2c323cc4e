import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "duelarena.settings")

application = get_wsgi_application()

# Everything loaded so far (Django, apps, settings) lives as long as the process. Moving it out of the
# collector's generations keeps later collections from re-scanning it: the first request that builds
# the boto3 client (tens of thousands of objects) got ~2x faster (bench/cold_start.py).
gc.freeze()
