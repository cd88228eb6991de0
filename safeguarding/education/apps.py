from django.apps import AppConfig


class EducationConfig(AppConfig):
    name = "safeguarding.education"
    verbose_name = "Children missing education"

    def ready(self) -> None:
        from safeguarding.core import access
        from safeguarding.education.models import AbsenceRecord, CmeCase, EheRecord

        # The agency holding a CME case or an EHE record is involved with the child.
        access.register_involvement("CME case", access.tracker_involvement(CmeCase))
        access.register_involvement("EHE record", access.tracker_involvement(EheRecord))
        # A school's absence return about a pupil the index knows makes the school involved.
        access.register_involvement("absence return", access.tracker_involvement(AbsenceRecord))
