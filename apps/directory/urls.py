from django.urls import path

from . import provider_views, views

app_name = "directory"
urlpatterns = [
    path("directory/", views.service_list, name="service_list"),
    path("directory/services/<uuid:pk>/", views.service_detail, name="service_detail"),
    path(
        "directory/services/<uuid:pk>/report/",
        views.service_report,
        name="service_report",
    ),
    path("directory/services/<uuid:pk>/save/", views.service_save, name="service_save"),
    path(
        "directory/services/<uuid:pk>/unsave/",
        views.service_unsave,
        name="service_unsave",
    ),
    path(
        "directory/organizations/<uuid:pk>/",
        views.organization_detail,
        name="organization_detail",
    ),
    path(
        "directory/listings/check/done/",
        provider_views.listing_check_done,
        name="listing_check_done",
    ),
    path(
        "directory/listings/check/<str:token>/",
        provider_views.listing_check,
        name="listing_check",
    ),
    path(
        "directory/listings/check/<str:token>/renew/",
        provider_views.listing_check_renew,
        name="listing_check_renew",
    ),
    path("my/saved/", views.saved_list, name="saved_list"),
    path("my/saved/print/", views.saved_list_print, name="saved_list_print"),
    path("my/saved/email/", views.saved_list_email, name="saved_list_email"),
]
