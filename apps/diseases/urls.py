from django.urls import path

from . import views

app_name = "diseases"
urlpatterns = [
    path("learn/", views.disease_list, name="disease_list"),
    path("learn/glossary/", views.glossary, name="glossary"),
    path("learn/search/", views.search, name="search"),
    path(
        "learn/compare/<slug:slug>/",
        views.comparison_detail,
        name="comparison_detail",
    ),
    path("learn/preview/<int:pk>/", views.article_preview, name="article_preview"),
    path("learn/<slug:slug>/", views.disease_detail, name="disease_detail"),
    path(
        "learn/<slug:disease>/<slug:article>/",
        views.article_detail,
        name="article_detail",
    ),
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
