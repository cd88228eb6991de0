from django.urls import path

from safeguarding.insight import api, audit_views, views

app_name = "insight"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indicators/", views.indicator_list, name="indicators"),
    path("indicators/new/", views.indicator_edit, name="indicator_new"),
    path("indicators/<slug:code>/", views.indicator_detail, name="indicator"),
    path("indicators/<slug:code>/edit/", views.indicator_edit, name="indicator_edit"),
    path(
        "indicators/<slug:code>/commentary/<str:start>/",
        views.commentary_edit,
        name="commentary",
    ),
    path("indicators/<slug:code>/export/", views.export, name="export"),
    path("sub-groups/", views.sub_group_list, name="sub_groups"),
    path("sub-groups/<int:pk>/", views.sub_group_detail, name="sub_group"),
    path("spotlight/", views.spotlight_list, name="spotlights"),
    path("spotlight/new/", views.spotlight_edit, name="spotlight_new"),
    path("spotlight/<int:pk>/", views.spotlight_edit, name="spotlight_edit"),
    path("comparators/", views.comparators, name="comparators"),
    path("late/", views.late, name="late"),
    path("disclosure-audit/", audit_views.disclosure_audit, name="disclosure_audit"),
    path("submissions/", views.submissions, name="submissions"),
    path("submissions/upload/", views.upload, name="upload"),
    path("submissions/<slug:code>/<str:start>/", views.submit, name="submit"),
    path("template/<str:frequency>/<str:start>/", views.template, name="template"),
    path("api/values", api.values, name="api_values"),
]
