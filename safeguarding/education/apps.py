from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "safeguarding.education"
    verbose_name = "Children missing education"
