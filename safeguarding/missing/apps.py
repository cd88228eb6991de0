from django.apps import AppConfig


class MissingConfig(AppConfig):
    name = "safeguarding.missing"
    verbose_name = "Missing children"

    def ready(self) -> None:
        from safeguarding.core import access
        from safeguarding.missing import access as missing_access

        # The agency that reported or recorded an episode is involved with the child.
        access.register_involvement("missing episode", missing_access.missing_episode_involvement)
