from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "safeguarding.core"
    label = "core"

    def ready(self) -> None:
        from safeguarding.core import signals  # noqa: F401
