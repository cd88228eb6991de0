from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "safeguarding.missing"
    verbose_name = "Missing children"
