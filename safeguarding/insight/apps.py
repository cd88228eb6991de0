from django.apps import AppConfig


class InsightConfig(AppConfig):
    name = "safeguarding.insight"
    verbose_name = "The partnership data set"
