"""Training in Chromium: a member of staff registers, opens the emailed link and books the
last place; a trainer takes the register on a tablet. Each page passes axe-core."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from safeguarding.conftest import World
from safeguarding.core.tests.browser.tabs import Tab
from safeguarding.training.models import Booking, BookingStatus
from safeguarding.training.tests.factories import CourseFactory, LearnerFactory, SessionFactory

pytestmark = pytest.mark.browser


def test_a_member_of_staff_registers_and_books_through_the_emailed_link(
    tab: Tab, browser_world: World
) -> None:
    browser_world.la.email_domains = "la.example"
    browser_world.la.save()
    course = CourseFactory(title="Working Together in One Day")
    SessionFactory(course=course, capacity=1)
    tab.sign_out()
    tab.goto("/training/")
    failures = tab.check("the public list of sessions")
    tab.page.get_by_role("link", name="register with your work email address").click()
    tab.page.wait_for_load_state("load")
    tab.page.get_by_label("Full name").fill("Sam Carer")
    tab.page.get_by_label("Work email address").fill("sam.carer@la.example")
    tab.page.get_by_label("Job title").fill("Social worker")
    tab.page.get_by_role("button", name="Register").click()
    tab.page.wait_for_load_state("load")
    assert tab.h1() == "Check your email"
    failures += tab.check("the registration's confirmation")

    found = re.search(r"https?://[^/\s]+(/training/my/\S+)", mail.outbox[-1].body)
    assert found
    tab.goto(found.group(1))
    assert tab.h1() == "Your training"
    tab.page.get_by_role("button", name=re.compile("^Book")).click()
    tab.page.wait_for_load_state("load")
    assert "You have a place" in tab.page.inner_text("main")
    failures += tab.check("a learner's page after booking")
    assert not failures, "\n\n".join(failures)
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_a_trainer_takes_the_register_on_a_tablet(tab: Tab, browser_world: World) -> None:
    tab.page.set_viewport_size({"width": 768, "height": 1024})
    session = SessionFactory(
        trainer=browser_world.users["trainer"], starts_at=timezone.now() - timedelta(minutes=20)
    )
    came = Booking.objects.create(
        session=session, learner=LearnerFactory(full_name="Ada Present"), status="booked"
    )
    missed = Booking.objects.create(
        session=session, learner=LearnerFactory(full_name="Bo Absent"), status="booked"
    )
    tab.sign_in_by_cookie(browser_world.users["trainer"])
    tab.goto("/")
    tab.page.get_by_role("navigation", name="Main").get_by_role("link", name="Training").click()
    tab.page.get_by_role("link", name=re.compile(session.course.title)).click()
    tab.page.wait_for_load_state("load")
    failures = tab.check("the register on a tablet")
    tab.page.get_by_role("group", name=re.compile("Ada Present")).get_by_label("Attended").check()
    tab.page.get_by_role("group", name=re.compile("Bo Absent")).get_by_label(
        "Did not attend"
    ).check()
    tab.page.get_by_role("button", name="Save the register").click()
    tab.page.wait_for_load_state("load")
    assert "The register is saved" in tab.page.inner_text("main")
    failures += tab.check("the register once saved")
    assert not failures, "\n\n".join(failures)
    came.refresh_from_db()
    missed.refresh_from_db()
    assert (came.status, missed.status) == (BookingStatus.ATTENDED, BookingStatus.NO_SHOW)


def test_the_report_with_its_chart_passes_axe_core(tab: Tab, browser_world: World) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from safeguarding.training.models import Evaluation

    starts = datetime(2024, 6, 5, 9, 30, tzinfo=ZoneInfo("Europe/London"))
    session = SessionFactory(
        course=CourseFactory(title="Developing an Understanding of Harmful Sexual Behaviour"),
        starts_at=starts,
        ends_at=starts + timedelta(hours=3),
    )
    for before, after in ((2, 4), (3, 4)):
        booking = Booking.objects.create(
            session=session, learner=LearnerFactory(), status=BookingStatus.ATTENDED
        )
        Evaluation.objects.create(booking=booking, stage="before", confidence=before)
        Evaluation.objects.create(booking=booking, stage="after", confidence=after)
    tab.sign_in_by_cookie(browser_world.users["analyst"])
    tab.goto("/training/report/?year=2024")
    assert tab.page.get_by_role("img", name="Confidence before and after, 2024/25").is_visible()
    failures = tab.check("the training report with its chart")
    assert not failures, "\n\n".join(failures)
