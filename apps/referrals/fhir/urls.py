"""FHIR R4 API for referrals, mounted at /api/fhir/. Paths follow FHIR's REST
conventions ([type]/[id], no trailing slash) so FHIR clients work unchanged."""

from django.urls import path

from . import views

app_name = "fhir_api"
urlpatterns = [
    path("metadata", views.CapabilityStatementView.as_view(), name="metadata"),
    path(
        ".well-known/smart-configuration",
        views.smart_configuration,
        name="smart_configuration",
    ),
    path("auth/token", views.token, name="token"),
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
    path("Patient/<str:id>", views.PatientDetail.as_view(), name="patient_detail"),
    path(
        "Practitioner/<str:id>",
        views.PractitionerDetail.as_view(),
        name="practitioner_detail",
    ),
    path(
        "PractitionerRole/<str:id>",
        views.PractitionerRoleDetail.as_view(),
        name="practitioner_role_detail",
    ),
    path(
        "Organization/<str:id>",
        views.OrganizationDetail.as_view(),
        name="organization_detail",
    ),
    path(
        "HealthcareService/<str:id>",
        views.HealthcareServiceDetail.as_view(),
        name="healthcare_service_detail",
    ),
]
