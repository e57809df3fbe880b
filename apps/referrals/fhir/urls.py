"""FHIR R4 API for referrals, mounted at /api/fhir/. Paths follow FHIR's REST
conventions ([type]/[id], no trailing slash) so FHIR clients work unchanged."""

from django.urls import path

from . import views

app_name = "fhir_api"
urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="metadata"),
    path(
        "ServiceRequest",
        views.ServiceRequestSearch.as_view(),
        name="service_request_search",
    ),
    path(
        "ServiceRequest/<str:id>",
        views.ServiceRequestDetail.as_view(),
        name="service_request_detail",
    ),
    path("Task", views.TaskSearch.as_view(), name="task_search"),
    path("Task/<str:id>", views.TaskDetail.as_view(), name="task_detail"),
]
