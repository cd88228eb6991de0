from django.apps import AppConfig


class YoungCarersConfig(AppConfig):
    name = "safeguarding.young_carers"
    verbose_name = "Young carers"

    def ready(self) -> None:
        from safeguarding.core import access
        from safeguarding.young_carers.models import YoungCarer

        # The agency holding a young carer's registration is involved with the child.
        access.register_involvement(
            "young carer registration", access.tracker_involvement(YoungCarer)
        )
