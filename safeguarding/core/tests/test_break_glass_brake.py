"""Break-glass has a brake: reasons that say something, a daily limit, an alert to the
information governance leads, and separation of duties (docs/decisions/0058)."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core import access
from safeguarding.core.models import AuditAction, AuditEntry, BreakGlass, User
from safeguarding.core.roles import Role
from safeguarding.core.tests.factories import ChildFactory, SourceRecordFactory, UserFactory

GOOD_REASON = "Child brought to our office tonight by a neighbour; we need their contacts."


def glass_url(public_id: object) -> str:
    return reverse("children:break_glass", kwargs={"public_id": public_id})


@pytest.mark.parametrize(
    "reason",
    [
        "a" * 25,
        "aaaaa aaaaa aaaaa aaaaa aaaaa aaaaa",
        "need need need need need need need need",
        "urgent, please open it",
        "abab abab abab abab abab abab abab",
        "1234567890 1234567890 1234567890",
    ],
)
def test_a_reason_that_says_nothing_opens_nothing(
    world: World, client_for: Callable[[str], Client], reason: str
) -> None:
    response = client_for("other_agency").post(glass_url(world.child.public_id), {"reason": reason})
    assert response.status_code == 200
    assert "Error:" in response.content.decode()
    assert not BreakGlass.objects.exists()
    assert access.grounds_for(world.users["other_agency"], world.child) is None


def test_a_reason_that_says_something_opens_the_record(
    world: World, client_for: Callable[[str], Client]
) -> None:
    response = client_for("other_agency").post(
        glass_url(world.child.public_id), {"reason": GOOD_REASON}
    )
    assert response.status_code == 302
    assert (
        access.grounds_for(world.users["other_agency"], world.child) == access.Grounds.BREAK_GLASS
    )


def test_a_user_opens_no_more_than_the_daily_limit(
    world: World,
    client_for: Callable[[str], Client],
    settings: object,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings.BREAK_GLASS_DAILY_LIMIT = 2  # type: ignore[attr-defined]
    settings.BREAK_GLASS_ALERT_AFTER = 10  # type: ignore[attr-defined]
    children = [ChildFactory() for _ in range(3)]
    for child in children:
        SourceRecordFactory(agency=world.police, child=child)
    client = client_for("other_agency")
    for child in children[:2]:
        assert client.post(glass_url(child.public_id), {"reason": GOOD_REASON}).status_code == 302
    refused = client.post(glass_url(children[2].public_id), {"reason": GOOD_REASON})
    assert refused.status_code == 200
    assert "the most the partnership allows" in refused.content.decode()
    other = world.users["other_agency"]
    assert access.grounds_for(other, children[2]) is None
    assert BreakGlass.objects.filter(user=other).count() == 2
    denied = AuditEntry.objects.filter(action=AuditAction.CHILD_DENIED, user_id=other.pk).get()
    assert denied.child_ref == str(children[2].public_id)
    # A day later the earlier openings no longer count.
    later = timezone.now() + timedelta(hours=25)
    monkeypatch.setattr("safeguarding.core.brakes.timezone.now", lambda: later)
    assert client.post(glass_url(children[2].public_id), {"reason": GOOD_REASON}).status_code == 302


def test_the_information_governance_leads_are_alerted_past_the_threshold(
    world: World,
    client_for: Callable[[str], Client],
    settings: object,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.BREAK_GLASS_ALERT_AFTER = 1  # type: ignore[attr-defined]
    settings.BREAK_GLASS_DAILY_LIMIT = 5  # type: ignore[attr-defined]
    second = ChildFactory()
    SourceRecordFactory(agency=world.police, child=second)
    client = client_for("other_agency")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(glass_url(world.child.public_id), {"reason": GOOD_REASON})
    assert mail.outbox == [], "the first opening is within the threshold"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(glass_url(second.public_id), {"reason": GOOD_REASON})
    assert len(mail.outbox) == 1
    alert = mail.outbox[0]
    assert set(alert.to) == {"ig@la.example", "sys@la.example"}
    assert "Otto Ther" in alert.body and "2" in alert.body
    # The alert names no child.
    assert world.child.given_name not in alert.body and str(second.public_id) not in alert.body
    latest = AuditEntry.objects.filter(action=AuditAction.BREAK_GLASS).latest("seq")
    assert latest.detail["alert"] is True and latest.detail["in_24_hours"] == 2


def test_a_role_given_in_the_last_day_cannot_break_glass(
    world: World, client_for: Callable[[str], Client]
) -> None:
    newcomer = UserFactory(agency=world.police, roles=[Role.PRACTITIONER])
    newcomer.role_grants.update(granted_at=timezone.now() - timedelta(hours=23))
    stranger = ChildFactory()
    SourceRecordFactory(agency=world.la, child=stranger)
    client = Client()
    client.force_login(newcomer)
    refused = client.post(glass_url(stranger.public_id), {"reason": GOOD_REASON})
    assert "less than 24 hours ago" in refused.content.decode()
    assert access.grounds_for(newcomer, stranger) is None
    newcomer.role_grants.update(granted_at=timezone.now() - timedelta(hours=25))
    assert client.post(glass_url(stranger.public_id), {"reason": GOOD_REASON}).status_code == 302
    assert access.grounds_for(newcomer, stranger) == access.Grounds.BREAK_GLASS


def test_no_one_grants_a_role_to_themselves(
    world: World, client_for: Callable[[str], Client]
) -> None:
    admin: User = world.users["sysadmin"]
    client = client_for("sysadmin")
    url = reverse("core:user_edit", kwargs={"pk": admin.pk})
    page = client.get(url).content.decode()
    assert "Another administrator changes this for you." in page
    client.post(
        url,
        {
            "full_name": admin.full_name,
            "email": admin.email,
            "job_title": "",
            "agency": str(world.police.pk),
            "roles": [Role.SYSTEM_ADMIN, Role.PRACTITIONER],
        },
    )
    admin = User.objects.get(pk=admin.pk)
    assert admin.roles == frozenset({Role.SYSTEM_ADMIN})
    assert admin.agency == world.la
    assert access.visible_children(admin).count() == 0


def test_an_administrator_still_grants_roles_to_others(
    world: World, client_for: Callable[[str], Client]
) -> None:
    analyst: User = world.users["analyst"]
    response = client_for("sysadmin").post(
        reverse("core:user_edit", kwargs={"pk": analyst.pk}),
        {
            "full_name": analyst.full_name,
            "email": analyst.email,
            "job_title": "",
            "agency": str(world.la.pk),
            "roles": [Role.ANALYST, Role.PRACTITIONER],
        },
    )
    assert response.status_code == 302
    assert User.objects.get(pk=analyst.pk).roles == frozenset({Role.ANALYST, Role.PRACTITIONER})


def test_the_break_glass_page_answers_alike_for_a_real_and_a_made_up_child(
    world: World, client_for: Callable[[str], Client]
) -> None:
    client = client_for("other_agency")
    made_up = uuid.uuid4()
    real = client.get(glass_url(world.child.public_id))
    fake = client.get(glass_url(made_up))
    assert real.status_code == fake.status_code == 200

    def body(response: object, public_id: object) -> str:
        text = response.content.decode()  # type: ignore[attr-defined]
        start, end = text.index("<main"), text.index("</main>")
        masked = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", text[start:end])
        return masked.replace(str(public_id), "ID")

    assert body(real, world.child.public_id) == body(fake, made_up)
    # Submitting for a made-up id is counted and recorded as an attempt, and opens nothing.
    answered = client.post(glass_url(made_up), {"reason": GOOD_REASON})
    assert answered.status_code == 302
    assert client.get(answered["Location"]).status_code == 404
    attempt = AuditEntry.objects.filter(action=AuditAction.BREAK_GLASS).get()
    assert attempt.child_ref == str(made_up) and attempt.detail["found"] is False
    assert not BreakGlass.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_openings_cannot_pass_the_limit_together(settings: object) -> None:
    from safeguarding.core.tests.factories import AgencyFactory

    if connection.vendor != "postgresql":
        pytest.skip("row locks across connections are PostgreSQL's")
    settings.BREAK_GLASS_DAILY_LIMIT = 2  # type: ignore[attr-defined]
    holder = AgencyFactory(code="HOLDER")
    user = UserFactory(agency=AgencyFactory(code="OTHER"), roles=[Role.PRACTITIONER])
    children = [ChildFactory() for _ in range(6)]
    for child in children:
        SourceRecordFactory(agency=holder, child=child)
    barrier = threading.Barrier(len(children))

    def open_one(child_id: uuid.UUID) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        client.post(glass_url(child_id), {"reason": GOOD_REASON})
        connection.close()

    threads = [threading.Thread(target=open_one, args=(c.public_id,)) for c in children]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert BreakGlass.objects.filter(user=user).count() == 2


def test_a_record_opened_by_break_glass_is_read_not_written(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """A row written under break-glass would make the agency involved for good."""
    from safeguarding.missing.models import Episode

    client = client_for("other_agency")
    client.post(glass_url(world.child.public_id), {"reason": GOOD_REASON})
    refused = client.post(
        reverse("missing:episode_new", kwargs={"public_id": world.child.public_id}),
        {"reported_at": "2025-03-01T10:00", "classification": "missing"},
    )
    assert refused.status_code == 403
    assert "you can read it, but not add to it" in refused.content.decode()
    assert not Episode.objects.exists()
    # The form is refused before it is filled in, not only when it is sent.
    form = client.get(reverse("missing:episode_new", kwargs={"public_id": world.child.public_id}))
    assert form.status_code == 403
    BreakGlass.objects.update(expires_at=timezone.now())
    assert access.grounds_for(world.users["other_agency"], world.child) is None


def test_no_link_on_a_break_glass_childs_pages_leads_to_a_refusal(
    world: World, client_for: Callable[[str], Client]
) -> None:
    """Every link on the child's pages, followed as a user who opened the child by
    break-glass, opens: the pages offer nothing that break-glass may not do."""
    client = client_for("other_agency")
    client.post(glass_url(world.child.public_id), {"reason": GOOD_REASON})
    pages = [
        reverse("children:detail", kwargs={"public_id": world.child.public_id}),
        reverse("missing:child", kwargs={"public_id": world.child.public_id}),
    ]
    followed: set[str] = set()
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200
        for href in re.findall(r'href="(/[^"#?]*)', response.content.decode()):
            if href in followed or href.startswith(("/static/", "/accounts/logout")):
                continue
            followed.add(href)
            answer = client.get(href)
            assert answer.status_code not in (403, 404), (
                f"{page} links to {href}: {answer.status_code}"
            )
    assert any("/missing/" in href for href in followed)
