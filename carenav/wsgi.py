import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carenav.settings")
application = get_wsgi_application()

# Built here, before gunicorn forks its workers (preload_app), so that no worker
# spends its first ZIP code search loading the ZIP code data.
from apps.directory.geo import zip_index  # noqa: E402

zip_index()
