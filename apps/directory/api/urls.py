"""HSDS 3.0 API, mounted at /api/hsds/. Paths follow the HSDS OpenAPI file (no
trailing slash), so clients written against the standard work unchanged."""

from django.conf import settings
from django.urls import include, path
from drf_spectacular.renderers import OpenApiJsonRenderer
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from . import views
from .query import HSDSRateThrottle

app_name = "hsds_api"

endpoints = [
    path("", views.api_root, name="root"),
    path("services", views.service_list, name="service_list"),
    path("services/<str:id>", views.service_detail, name="service_detail"),
    path(
        "service_at_locations",
        views.service_at_location_list,
        name="service_at_location_list",
    ),
    path(
        "service_at_locations/<str:id>",
        views.service_at_location_detail,
        name="service_at_location_detail",
    ),
    path("organizations", views.organization_list, name="organization_list"),
    path(
        "organizations/<str:id>",
        views.organization_detail,
        name="organization_detail",
    ),
    path("taxonomies", views.taxonomy_list, name="taxonomy_list"),
    path("taxonomies/<str:id>", views.taxonomy_detail, name="taxonomy_detail"),
    path("taxonomy_terms", views.taxonomy_term_list, name="taxonomy_term_list"),
    path(
        "taxonomy_terms/<str:id>",
        views.taxonomy_term_detail,
        name="taxonomy_term_detail",
    ),
]

openapi_view = views.allow_any_origin(
    SpectacularAPIView.as_view(
        renderer_classes=[OpenApiJsonRenderer],
        permission_classes=[AllowAny],
        authentication_classes=[],
        throttle_classes=[HSDSRateThrottle],
        # Only this API, under its real prefix.
        patterns=[path("api/hsds/", include(endpoints))],
        custom_settings={
            "TITLE": "CareNav directory: HSDS 3.0 API",
            "DESCRIPTION": "The CareNav care-service directory in Open Referral's "
            "Human Services Data Specification 3.0. Public and read-only; each client "
            "address may make a limited number of requests a minute (429 beyond "
            "that).",
            "VERSION": "3.0",
            # Required means required by HSDS (serializers.HSDSSerializer), not "always
            # sent because it is read-only".
            "COMPONENT_NO_READ_ONLY_REQUIRED": True,
            # Locations and addresses share the HSDS physical/postal/virtual list.
            "ENUM_NAME_OVERRIDES": {
                "LocationTypeEnum": "apps.directory.models.Location.LocationType"
            },
            # Paths carry their /api/hsds/ prefix, so the server is the site itself.
            "SERVERS": [{"url": settings.SITE_URL, "description": "CareNav"}],
        },
    )
)

urlpatterns = [
    *endpoints,
    path("openapi.json", openapi_view, name="openapi"),
]
