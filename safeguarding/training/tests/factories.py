"""Factories for training's tests."""

from __future__ import annotations

from datetime import timedelta

import factory
from django.utils import timezone

from safeguarding.training.models import (
    Course,
    CourseLevel,
    Learner,
    LearnerStatus,
    SessionMode,
    TrainingSession,
)


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Safeguarding course {n}")
    audience = "Staff of every partner agency who work with children."
    learning_outcomes = "Recognise abuse and neglect\nKnow who to tell and how"
    level = CourseLevel.CORE


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingSession

    course = factory.SubFactory(CourseFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    mode = SessionMode.FACE_TO_FACE
    venue = "Training Room 2, Civic Centre"
    capacity = 10


class LearnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Learner

    full_name = factory.Sequence(lambda n: f"Learner {n}")
    email = factory.Sequence(lambda n: f"learner{n}@la.example")
    job_title = "Family support worker"
    status = LearnerStatus.APPROVED
