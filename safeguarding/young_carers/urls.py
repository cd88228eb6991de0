from django.urls import path

from safeguarding.young_carers import views

app_name = "young_carers"

urlpatterns = [
    path("", views.index, name="index"),
    path("oversight/", views.oversight, name="oversight"),
    path("identification/", views.identification, name="identification"),
    path("child/<str:public_id>/register/", views.register, name="register"),
    path("<str:public_id>/", views.detail, name="detail"),
    path("<str:public_id>/review/", views.review, name="review"),
    path("<str:public_id>/close/", views.close, name="close"),
]
