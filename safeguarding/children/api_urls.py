from django.urls import path

from safeguarding.children import api

app_name = "api"

urlpatterns = [
    path("", api.index, name="index"),
    path("openapi.json", api.openapi_json, name="openapi"),
    path("v1/persons", api.persons, name="persons"),
    path("v1/events", api.events, name="events"),
    # Any text, so that an id that is not a UUID gets the API's JSON 404, not the HTML page.
    path("v1/batches/<path:public_id>", api.batch, name="batch"),
]
