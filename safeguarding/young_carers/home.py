"""The young carers register's link on the child's page (place in core/home.py); its home
page links are in education/home.py's section, "Education and young carers"."""

from __future__ import annotations

from django.urls import reverse

from safeguarding.core import access
from safeguarding.core.home import ChildLink, child_links


@child_links.register(10)
def register_link(granted: access.ChildAccess) -> list[ChildLink]:
    url = reverse("young_carers:register", args=[granted.child.public_id])
    return [ChildLink("Register as a young carer", url)]
