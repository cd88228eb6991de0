"""The certificate of attendance, as a PDF (WeasyPrint), released after the evaluation."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from safeguarding.core.queries import partnership
from safeguarding.training.models import Booking


def certificate_pdf(booking: Booking) -> bytes:
    from weasyprint import HTML  # type: ignore[import-untyped]

    session = booking.session
    html = render_to_string(
        "training/certificate.html",
        {
            "booking": booking,
            "learner": booking.learner,
            "session": session,
            "course": session.course,
            "hours": round((session.ends_at - session.starts_at).total_seconds() / 3600, 1),
            "partnership": partnership(),
            "issued": timezone.localdate(),
        },
    )
    # No base_url: the certificate fetches nothing, so nothing outside can be reached.
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
