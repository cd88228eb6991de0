from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "safeguarding.reports"
    verbose_name = "Annual report"
