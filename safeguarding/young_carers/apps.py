from django.apps import AppConfig


class YoungCarersConfig(AppConfig):
    name = "safeguarding.young_carers"
    verbose_name = "Young carers"
