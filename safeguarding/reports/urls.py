from django.urls import path

from safeguarding.reports import views

app_name = "reports"

YEAR = "<str:year>"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.create, name="create"),
    path(f"{YEAR}/", views.report, name="report"),
    path(f"{YEAR}/download/<str:fmt>/", views.download, name="download"),
    path(f"{YEAR}/changes/", views.changes, name="changes"),
    path(f"{YEAR}/publish/", views.publish, name="publish"),
    path(f"{YEAR}/disclosure/", views.disclosure, name="disclosure"),
    path(f"{YEAR}/sections/<slug:key>/", views.section_edit, name="section_edit"),
    path(f"{YEAR}/sections/<slug:key>/figures/", views.section_blocks, name="section_blocks"),
    path(f"{YEAR}/entries/", views.entries, name="year_entries"),
    path(f"{YEAR}/entries/finance/", views.finance_add, name="finance_add"),
    path(f"{YEAR}/entries/finance/<int:pk>/remove/", views.finance_remove, name="finance_remove"),
    path(f"{YEAR}/entries/area-figures/", views.area_import, name="area_import"),
    path(f"{YEAR}/entries/child-deaths/", views.deaths, name="deaths"),
]
