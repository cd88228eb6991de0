from django.urls import path

from safeguarding.children import views

app_name = "children"

urlpatterns = [
    path("", views.child_list, name="list"),
    path("<uuid:public_id>/", views.child_detail, name="detail"),
    path("<uuid:public_id>/break-glass/", views.break_glass, name="break_glass"),
    path("<uuid:public_id>/chronology/export/", views.chronology_export, name="export"),
]
