from django.urls import path

from .views import casework, patient, reports, respond

app_name = "referrals"
urlpatterns = [
    path("casework/", casework.dashboard, name="dashboard"),
    path("casework/clients/", casework.client_list, name="client_list"),
    path("casework/clients/new/", casework.client_create, name="client_create"),
    path("casework/clients/<int:pk>/", casework.client_detail, name="client_detail"),
    path(
        "casework/clients/<int:pk>/edit/",
        casework.client_update,
        name="client_update",
    ),
    path("casework/clients/<int:pk>/notes/", casework.note_create, name="note_create"),
    path(
        "casework/clients/<int:pk>/reassign/",
        casework.client_reassign,
        name="client_reassign",
    ),
    path(
        "casework/clients/<int:pk>/access-log/",
        casework.client_access_log,
        name="client_access_log",
    ),
    path(
        "casework/clients/<int:pk>/invite/",
        casework.client_invite,
        name="client_invite",
    ),
    path(
        "casework/clients/<int:pk>/unlink/",
        casework.client_unlink,
        name="client_unlink",
    ),
    path("casework/referrals/new/", casework.referral_create, name="referral_create"),
    path(
        "casework/referrals/<int:pk>/",
        casework.referral_detail,
        name="referral_detail",
    ),
    path(
        "casework/referrals/<int:pk>/edit/",
        casework.referral_update,
        name="referral_update",
    ),
    path(
        "casework/referrals/<int:pk>/status/",
        casework.referral_change_status,
        name="referral_change_status",
    ),
    path(
        "casework/referrals/<int:pk>/resend-link/",
        casework.referral_resend_link,
        name="referral_resend_link",
    ),
    path(
        "casework/referrals/<int:pk>/revoke-link/",
        casework.referral_revoke_link,
        name="referral_revoke_link",
    ),
    path(
        "casework/referrals/<int:pk>/print/",
        casework.referral_print,
        name="referral_print",
    ),
    path("casework/reports/", reports.referral_report, name="referral_report"),
    path(
        "casework/reports/<slug:table>.csv",
        reports.referral_report_csv,
        name="referral_report_csv",
    ),
    path("my/referrals/", patient.my_referrals, name="my_referrals"),
    path(
        "my/referrals/links/<int:pk>/remove/",
        patient.my_link_remove,
        name="my_link_remove",
    ),
    path("my/link/<str:token>/", patient.invitation_accept, name="invitation_accept"),
    path("respond/<str:token>/", respond.respond, name="respond"),
]
