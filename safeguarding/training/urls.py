from django.urls import path

from safeguarding.training import views

app_name = "training"

urlpatterns = [
    # Public: partners' staff, who are not hub users, find and book training here.
    path("", views.course_list, name="courses"),
    path("sessions/<int:pk>/", views.session_public, name="session"),
    path("register/", views.register, name="register"),
    path("link/", views.send_link, name="send_link"),
    path("my/<str:token>/", views.my_bookings, name="my_bookings"),
    path("my/<str:token>/book/<int:pk>/", views.book, name="book"),
    path("my/<str:token>/cancel/<uuid:booking>/", views.cancel, name="cancel"),
    path(
        "my/<str:token>/evaluation/<uuid:booking>/<str:stage>/",
        views.evaluation,
        name="evaluation",
    ),
    path("my/<str:token>/certificate/<uuid:booking>/", views.certificate, name="certificate"),
    # Trainers and partnership officers.
    path("manage/", views.manage, name="manage"),
    path("manage/sessions/", views.session_list, name="sessions"),
    path("manage/sessions/<int:pk>/", views.session_register, name="register_page"),
    path("manage/sessions/new/", views.session_edit, name="session_new"),
    path("manage/sessions/<int:pk>/edit/", views.session_edit, name="session_edit"),
    path("manage/courses/new/", views.course_edit, name="course_new"),
    path("manage/courses/<int:pk>/edit/", views.course_edit, name="course_edit"),
    path("manage/learners/", views.learners, name="learners"),
    path("manage/learners/<uuid:public_id>/", views.learner_decide, name="learner_decide"),
    path("manage/settings/", views.settings_edit, name="settings"),
    path("manage/e-learning/", views.elearning_upload, name="elearning"),
    path("report/", views.report, name="report"),
]
