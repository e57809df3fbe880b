from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("my/profile/", views.profile_update, name="profile_update"),
]
