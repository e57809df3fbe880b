from django.urls import path

from . import views

app_name = "checklists"
urlpatterns = [
    path("checklists/<slug:disease>/", views.stage_list, name="stage_list"),
    path("my/checklist/", views.my_checklist, name="my_checklist"),
    path("my/checklist/print/", views.my_checklist_print, name="my_checklist_print"),
    path(
        "my/checklist/calendar.ics",
        views.my_checklist_calendar,
        name="my_checklist_calendar",
    ),
    path("my/checklist/stage/", views.stage_choose, name="stage_choose"),
    path("my/checklist/condition/", views.condition_choose, name="condition_choose"),
    path(
        "my/checklist/items/<int:pk>/status/",
        views.item_status,
        name="item_status",
    ),
    path("my/checklist/items/<int:pk>/note/", views.item_note, name="item_note"),
    path(
        "reminders/stop/<str:token>/",
        views.reminders_unsubscribe,
        name="reminders_unsubscribe",
    ),
    # After the fixed paths above: a stage's slug is the rest.
    path(
        "my/checklist/<slug:stage>/",
        views.my_checklist_stage,
        name="my_checklist_stage",
    ),
]
