from django.urls import path

from .views import (
    choose_service,
    clients,
    dashboard,
    patient,
    referrals,
    reports,
    respond,
    worklist,
)

app_name = "referrals"
urlpatterns = [
    path("casework/", dashboard.dashboard, name="dashboard"),
    path("casework/answers-seen/", dashboard.feed_mark_seen, name="feed_mark_seen"),
    path("casework/clients/", clients.client_list, name="client_list"),
    path("casework/clients/new/", clients.client_create, name="client_create"),
    path("casework/clients/<int:pk>/", clients.client_detail, name="client_detail"),
    path(
        "casework/clients/<int:pk>/edit/",
        clients.client_update,
        name="client_update",
    ),
    path("casework/clients/<int:pk>/notes/", clients.note_create, name="note_create"),
    path(
        "casework/clients/<int:pk>/progress/",
        clients.client_progress,
        name="client_progress",
    ),
    path(
        "casework/clients/<int:pk>/reassign/",
        clients.client_reassign,
        name="client_reassign",
    ),
    path(
        "casework/clients/<int:pk>/access-log/",
        clients.client_access_log,
        name="client_access_log",
    ),
    path(
        "casework/clients/<int:pk>/invite/",
        clients.client_invite,
        name="client_invite",
    ),
    path(
        "casework/clients/<int:pk>/unlink/",
        clients.client_unlink,
        name="client_unlink",
    ),
    path("casework/referrals/", worklist.referral_list, name="referral_list"),
    path("casework/referrals/new/", referrals.referral_create, name="referral_create"),
    path(
        "casework/referrals/new/service/",
        choose_service.referral_choose_service,
        name="referral_choose_service",
    ),
    path(
        "casework/referrals/<int:pk>/",
        referrals.referral_detail,
        name="referral_detail",
    ),
    path(
        "casework/referrals/<int:pk>/edit/",
        referrals.referral_update,
        name="referral_update",
    ),
    path(
        "casework/referrals/<int:pk>/status/",
        referrals.referral_change_status,
        name="referral_change_status",
    ),
    path(
        "casework/referrals/<int:pk>/resend-link/",
        referrals.referral_resend_link,
        name="referral_resend_link",
    ),
    path(
        "casework/referrals/<int:pk>/revoke-link/",
        referrals.referral_revoke_link,
        name="referral_revoke_link",
    ),
    path(
        "casework/referrals/<int:pk>/print/",
        referrals.referral_print,
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
    path("my/sharing/", patient.my_sharing, name="my_sharing"),
    path(
        "my/sharing/<int:pk>/share/",
        patient.my_sharing_grant,
        name="my_sharing_grant",
    ),
    path(
        "my/sharing/<int:pk>/stop/",
        patient.my_sharing_revoke,
        name="my_sharing_revoke",
    ),
    path("my/link/<str:token>/", patient.invitation_accept, name="invitation_accept"),
    path("respond/<str:token>/", respond.respond, name="respond"),
]
