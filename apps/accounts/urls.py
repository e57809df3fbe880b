from django.contrib.auth.decorators import login_not_required
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("my/profile/", views.profile_update, name="profile_update"),
    path("my/account/", views.account, name="account"),
    path("my/account/reminders/", views.reminders_update, name="reminders_update"),
    path("my/account/data.json", views.data_export, name="data_export"),
    path("my/account/data/", views.data_page, name="data_page"),
    path("my/account/delete/", views.account_delete, name="account_delete"),
    path(
        "account-deleted/",
        login_not_required(views.account_deleted),
        name="account_deleted",
    ),
]
