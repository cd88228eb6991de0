"""Children missing education (CME), the elective home education (EHE) register and
persistent and severe absence.

The case, check, EHE and absence models are child-level: read and changed only through
the access helpers (core/access/). The agency holding a CME
case or an EHE record (the local authority's education service) is involved with the
child (rule (a)), registered in apps.py. `Population` and `AbsenceImport` name no child.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, ChildLevel, User


class CheckKind(models.TextChoices):
    """The searches made for a child missing education (statutory guidance, 2024)."""

    SCHOOL_CENSUS = "school_census", "School census and previous school"
    HEALTH = "health", "Health (GP, school nursing, health visitor)"
    HOUSING = "housing", "Housing"
    OTHER_LA = "other_la", "Other local authorities"
    HOME_OFFICE = "home_office", "Home Office request"
    POLICE = "police", "Police"
    SOCIAL_CARE = "social_care", "Children's social care"
    HOME_VISIT = "home_visit", "Home visit"
    OTHER = "other", "Other"


class Destination(models.TextChoices):
    LOCAL_SCHOOL = "local_school", "On the roll of a school in the area"
    OTHER_LA_SCHOOL = "other_la_school", "On a school roll in another local authority"
    ABROAD = "abroad", "Moved abroad"
    HOME_EDUCATED = "home_educated", "Electively home educated"
    ALTERNATIVE = "alternative", "Alternative provision"
    NOT_FOUND = "not_found", "Not found: all searches made"
    OTHER = "other", "Other"


class CmeCase(ChildLevel):
    """A child referred as missing education, searched for until closed with a destination."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    # The agency holding the case (the local authority's CME officer): it is involved.
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    referred_on = models.DateField()
    # Who told the local authority (a school, health, police...); None if not known.
    referred_by = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    closed_on = models.DateField(null=True, blank=True)
    destination = models.CharField(max_length=20, choices=Destination.choices, blank=True)
    destination_detail = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["referred_on", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["agency", "child"]),
            # The tracker: open cases, longest open first; the feeds count by dates.
            models.Index(fields=["closed_on", "referred_on"]),
            models.Index(fields=["child"]),
        ]

    def __str__(self) -> str:
        return f"CME case {self.child_id} from {self.referred_on:%Y-%m-%d}"

    def days_open(self, today: date) -> int:
        return ((self.closed_on or today) - self.referred_on).days


class CmeCheck(ChildLevel):
    """One search made for the child, and what it found."""

    case = models.ForeignKey(CmeCase, on_delete=models.PROTECT, related_name="checks")
    # The child again, so that the access helpers scope checks as every child-level row.
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    made_on = models.DateField()
    found = models.BooleanField(default=False, help_text="The check found where the child is.")
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering: ClassVar = ["made_on", "pk"]
        indexes: ClassVar = [models.Index(fields=["case", "made_on"])]

    def __str__(self) -> str:
        return f"{self.kind} on {self.made_on:%Y-%m-%d}"


class EheReason(models.TextChoices):
    """The reasons of the DfE's elective home education data collection."""

    PHILOSOPHICAL = "philosophical", "Philosophical or preferential"
    DISSATISFIED = "dissatisfied", "Dissatisfaction with the school"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_HEALTH = "physical_health", "Physical health"
    SEND = "send", "Special educational needs"
    BULLYING = "bullying", "Bullying"
    EXCLUSION = "exclusion", "To avoid exclusion or a prosecution for attendance"
    LIFESTYLE = "lifestyle", "Lifestyle or religious"
    NOT_GIVEN = "not_given", "Not given"


class EheRecord(ChildLevel):
    """A child on the elective home education register, from start to return (or end)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField()
    reason = models.CharField(max_length=20, choices=EheReason.choices)
    ended_on = models.DateField(null=True, blank=True)
    returned_to_school = models.BooleanField(default=False)
    end_note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["started_on", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["agency", "child"]),
            models.Index(fields=["ended_on", "started_on"]),
            models.Index(fields=["child"]),
        ]

    def __str__(self) -> str:
        return f"EHE {self.child_id} from {self.started_on:%Y-%m-%d}"


class VisitOutcome(models.TextChoices):
    SUITABLE = "suitable", "Education appears suitable"
    NOT_SUITABLE = "not_suitable", "Education does not appear suitable"
    DECLINED = "declined", "Visit declined; information asked for"


class EheVisit(ChildLevel):
    record = models.ForeignKey(EheRecord, on_delete=models.PROTECT, related_name="visits")
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField()
    outcome = models.CharField(max_length=20, choices=VisitOutcome.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering: ClassVar = ["-visited_on", "-pk"]
        indexes: ClassVar = [models.Index(fields=["record", "-visited_on"])]

    def __str__(self) -> str:
        return f"EHE visit {self.record_id} on {self.visited_on:%Y-%m-%d}"


class Population(models.Model):
    """The figure the CME rate and the EHE count are set against (not child-level).

    Configurable (DOMAIN.md): by default the children of compulsory school age in the
    area; the partnership officer changes it when a new mid-year estimate is out. The
    latest figure in force on a date is used for that date.
    """

    label = models.CharField(max_length=200, default="Children of compulsory school age")
    count = models.PositiveIntegerField()
    from_date = models.DateField()
    set_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-from_date", "-pk"]

    def __str__(self) -> str:
        return f"{self.label}: {self.count} from {self.from_date:%Y-%m-%d}"


# Persistent absence: 10% or more of possible sessions missed; severe: 50% or more
# (DfE's definitions, DOMAIN.md).
PERSISTENT_PERCENT = 10
SEVERE_PERCENT = 50


class Term(models.TextChoices):
    AUTUMN = "autumn", "Autumn"
    SPRING = "spring", "Spring"
    SUMMER = "summer", "Summer"


class AbsenceImport(models.Model):
    """One school's absence return for one term, as loaded (not child-level: counts only).

    A school sends one return a term; a new return for the same school and term replaces
    the last one's rows (all or nothing), so a corrected file is simply sent again.
    """

    school = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    academic_year = models.PositiveSmallIntegerField(help_text="The year the school year starts.")
    term = models.CharField(max_length=10, choices=Term.choices)
    file_name = models.CharField(max_length=255, blank=True)
    pupils = models.PositiveIntegerField(default=0)
    persistent = models.PositiveIntegerField(default=0)
    severe = models.PositiveIntegerField(default=0)
    # Of the persistently absent, those with a vulnerability (CIN, CP plan, SEND, FSM).
    vulnerable = models.PositiveIntegerField(default=0)
    linked = models.PositiveIntegerField(default=0, help_text="Pupils found in the child index.")
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-academic_year", "term", "school__name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["school", "academic_year", "term"], name="one_absence_return_per_term"
            )
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.academic_year} {self.term}"

    @property
    def year_label(self) -> str:
        return f"{self.academic_year} to {self.academic_year + 1}"


class AbsenceRecord(ChildLevel):
    """One pupil's absence in one term, kept only when persistent or severe, with the
    vulnerabilities the school recorded (the partnership picks these children out)."""

    batch = models.ForeignKey(AbsenceImport, on_delete=models.CASCADE, related_name="records")
    # The school again, for the involvement rule (the school holds the record).
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    # Found by UPN in the child index; None when the index does not know the pupil yet.
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    upn = models.CharField(max_length=13)
    sessions_possible = models.PositiveIntegerField()
    sessions_missed = models.PositiveIntegerField()
    child_in_need = models.BooleanField(default=False)
    child_protection_plan = models.BooleanField(default=False)
    send = models.BooleanField(default=False)
    free_school_meals = models.BooleanField(default=False)
    # Derived at load, so that lists filter on an index rather than on arithmetic.
    severe = models.BooleanField(default=False)
    vulnerable = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["-sessions_missed", "pk"]
        indexes: ClassVar = [
            models.Index(fields=["agency", "child"]),
            models.Index(fields=["child"]),
            models.Index(fields=["batch", "vulnerable"]),
        ]

    def __str__(self) -> str:
        return f"{self.upn} {self.sessions_missed}/{self.sessions_possible}"

    @property
    def percent_missed(self) -> float:
        return round(100 * self.sessions_missed / self.sessions_possible, 1)

    @property
    def vulnerabilities(self) -> list[str]:
        return [
            label
            for flag, label in (
                (self.child_in_need, "Child in need"),
                (self.child_protection_plan, "Child protection plan"),
                (self.send, "SEND"),
                (self.free_school_meals, "Free school meals"),
            )
            if flag
        ]
