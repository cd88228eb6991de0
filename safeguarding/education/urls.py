from django.urls import path

from safeguarding.education import views

app_name = "education"

urlpatterns = [
    path("", views.cases, name="cases"),
    path("child/<str:public_id>/cme/", views.case_new, name="case_new"),
    path("cme/<str:public_id>/", views.case, name="case"),
    path("cme/<str:public_id>/check/", views.case_check, name="case_check"),
    path("cme/<str:public_id>/close/", views.case_close, name="case_close"),
    path("home-education/", views.ehe, name="ehe"),
    path("child/<str:public_id>/home-education/", views.ehe_new, name="ehe_new"),
    path("home-education/<str:public_id>/", views.ehe_record, name="ehe_record"),
    path("home-education/<str:public_id>/visit/", views.ehe_visit, name="ehe_visit"),
    path("home-education/<str:public_id>/end/", views.ehe_end, name="ehe_end"),
    path("absence/", views.absence, name="absence"),
    path("absence/import/", views.absence_import, name="absence_import"),
    path("population/", views.population, name="population"),
    path("feeds/", views.feeds, name="feeds"),
]
