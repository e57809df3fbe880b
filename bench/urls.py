"""URLs for the load test only (settings use them when CARENAV_BENCH=1).

Every page of CareNav, plus /bench/bare: a view that returns a constant, served by
the same gunicorn and through the same middleware as every page. Its throughput is
the ceiling the bench measures the real pages against.
"""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from carenav.urls import handler400, handler403, handler404, handler500  # noqa: F401


@require_GET
@login_not_required
def bare(request):
    return HttpResponse("ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/bare", bare, name="bench_bare"),
    path("", include("carenav.urls")),
]
