from django.urls import path

from safeguarding.children import api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("openapi.json", api.openapi_json, name="openapi"),
    path("v1/persons", api.persons, name="persons"),
    path("v1/events", api.events, name="events"),
    path("v1/batches/<uuid:public_id>", api.batch, name="batch"),
]
