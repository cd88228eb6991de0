from django.urls import path

from safeguarding.sso import views

app_name = "sso"

urlpatterns = [
    path("providers/", views.provider_list, name="providers"),
    path("providers/new/", views.provider_edit, name="provider_new"),
    path("providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("agency/", views.agency_sign_in, name="agency"),
    path("agency/account-creation/", views.account_creation, name="account_creation"),
]
