from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "safeguarding.learning"
    verbose_name = "Learning and improvement"
