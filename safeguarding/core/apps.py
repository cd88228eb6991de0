from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "safeguarding.core"
    label = "core"

    def ready(self) -> None:
        from safeguarding.core import checks, dbroles, signals  # noqa: F401

        # After every migrate, as the owner: the app role's privileges, new tables too.
        post_migrate.connect(dbroles.on_post_migrate, sender=self, dispatch_uid="core-db-roles")
        # Each app's home.py adds its links, home page sections and child's page panels to
        # core/home.py's registries: core names no app (decision 0062).
        autodiscover_modules("home")
