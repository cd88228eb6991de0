from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "safeguarding.training"
    verbose_name = "Training"
