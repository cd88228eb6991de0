from django.urls import path

from safeguarding.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("partnership/", views.partnership_settings, name="partnership"),
    path("partnership/agencies/", views.agency_list, name="agencies"),
    path("partnership/agencies/new/", views.agency_edit, name="agency_new"),
    path("partnership/agencies/<slug:code>/", views.agency_edit, name="agency_edit"),
    path("partnership/agencies/<slug:code>/remove/", views.agency_remove, name="agency_remove"),
    path("partnership/sub-groups/", views.sub_group_list, name="sub_groups"),
    path("partnership/sub-groups/new/", views.sub_group_edit, name="sub_group_new"),
    path("partnership/sub-groups/<int:pk>/", views.sub_group_edit, name="sub_group_edit"),
    path("partnership/priorities/", views.priority_list, name="priorities"),
    path("partnership/priorities/new/", views.priority_edit, name="priority_new"),
    path("partnership/priorities/<int:pk>/", views.priority_edit, name="priority_edit"),
    path("users/", views.user_list, name="users"),
    path("users/new/", views.user_edit, name="user_new"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/toggle/", views.user_toggle, name="user_toggle"),
    path("audit/", views.audit_search, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("audit/break-glass/", views.break_glass_queue, name="break_glass_queue"),
    path(
        "audit/break-glass/<uuid:public_id>/", views.break_glass_review, name="break_glass_review"
    ),
]
