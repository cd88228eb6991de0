from django.urls import URLPattern

app_name = "young_carers"

urlpatterns: list[URLPattern] = []
