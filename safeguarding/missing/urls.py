from django.urls import path

from safeguarding.missing import views

app_name = "missing"

urlpatterns = [
    path("", views.tracker, name="tracker"),
    path("overdue/", views.overdue, name="overdue"),
    path("repeat/", views.repeat, name="repeat"),
    path("notices/", views.notices, name="notices"),
    path("notices/<int:pk>/read/", views.notice_read, name="notice_read"),
    path("figures/", views.figures, name="figures"),
    path("school-holidays/", views.school_holidays, name="school_holidays"),
    path(
        "school-holidays/<int:pk>/remove/",
        views.school_holiday_remove,
        name="school_holiday_remove",
    ),
    path("child/<str:public_id>/", views.child, name="child"),
    path("child/<str:public_id>/episode/", views.episode_new, name="episode_new"),
    path("child/<str:public_id>/profile/", views.profile, name="profile"),
    path("child/<str:public_id>/profile/print/", views.profile_print, name="profile_print"),
    path("child/<str:public_id>/profile/photo/", views.profile_photo, name="profile_photo"),
    path("child/<str:public_id>/profile/share/", views.profile_share, name="profile_share"),
    path("episode/<str:public_id>/", views.episode, name="episode"),
    path("episode/<str:public_id>/correct/", views.episode_correct, name="episode_correct"),
    path("interview/<str:public_id>/", views.interview, name="interview"),
]
