from django.urls import path

from safeguarding.children.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.batch_list, name="list"),
    path("upload/", views.upload, name="upload"),
    path("<uuid:public_id>/", views.batch_detail, name="batch"),
    path("<uuid:public_id>/problems.csv", views.batch_problems_csv, name="batch_problems"),
    path("<uuid:public_id>/load/", views.batch_load, name="batch_load"),
    path("mappings/", views.mapping_list, name="mappings"),
    path("mappings/<str:kind>/", views.mapping_edit, name="mapping"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.token_revoke, name="token_revoke"),
]
