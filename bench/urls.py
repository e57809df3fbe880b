"""URLs for the load test only (settings use them when CARENAV_BENCH=1).

Every page of CareNav, plus /bench/bare: a view that returns a constant, served by
the same gunicorn and through the same middleware as every page. Its throughput is
the ceiling the bench measures the real pages against.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from carenav.urls import handler400, handler403, handler404, handler500  # noqa: F401
from carenav.urls import urlpatterns as carenav_urlpatterns


@require_GET
@login_not_required
def bare(request):
    return HttpResponse("ok\n", content_type="text/plain")


# The site's patterns added as they are, not include()d: i18n_patterns (the /es/
# pages) only work at the top of the root URLconf.
urlpatterns = [path("bench/bare", bare, name="bench_bare"), *carenav_urlpatterns]
