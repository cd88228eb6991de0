from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "safeguarding.sso"
    label = "sso"
    verbose_name = "Single sign-on"

    def ready(self) -> None:
        from safeguarding.sso import checks  # noqa: F401
