"""The child index: one child, and what each agency holds about them.

Every model here is child-level: it is read and changed only through the helper family
in core/access/ (a test in core/tests/test_access_boundary.py enforces it). The child
index issue adds linkage, chronology and imports on top of these.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import datetime
from typing import ClassVar

from django.db import models
from django.utils import timezone

from safeguarding.core.models import Agency, ChildLevel, Panel, User

PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_pseudonym() -> str:
    """A stable, non-identifying reference for analysts: C- and eight characters."""
    # 32 letters: the low five bits of a random byte pick one uniformly, and one call for
    # random bytes serves all eight (a first linkage makes 400,000 children).
    return "C-" + "".join(PSEUDONYM_ALPHABET[byte & 31] for byte in secrets.token_bytes(8))


def event_fingerprint(record_id: str, event_type: str, occurred_at: datetime, summary: str) -> str:
    """What makes an event the same event when an extract is sent again."""
    text = "\x1f".join((record_id, event_type, occurred_at.isoformat(), " ".join(summary.split())))
    return hashlib.sha256(text.encode()).hexdigest()


class Sex(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other"
    UNKNOWN = "U", "Not known"


class Child(ChildLevel):
    """One child as the partnership sees them, linked from the agencies' records.

    The identity fields here are the best value of each field across the child's source
    records (children/identity.py chooses them), and `identity_sources` says which agency
    gave each. URLs carry the public id, never the sequential key, so children cannot be
    counted or guessed.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    pseudonym = models.CharField(max_length=12, unique=True, default=new_pseudonym, editable=False)
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    # {"given_name": "LA", ...}: which agency's record gave each best value.
    identity_sources = models.JSONField(default=dict, blank=True)
    # Phonetic keys of the names, so that a search tolerates typos and still rides an
    # index (children/names.py computes them; a trigram index would tie us to PostgreSQL).
    given_name_key = models.CharField(max_length=12, blank=True)
    family_name_key = models.CharField(max_length=12, blank=True)
    # A merged child keeps its row (and public id) so that a wrong merge can be undone;
    # it points at the child it was merged into and is hidden everywhere else.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_children"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["family_name", "given_name"]
        verbose_name_plural = "children"
        indexes: ClassVar = [
            # The order of every list of children (a 300k-child list pages in 3 ms with it).
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["family_name_key", "given_name_key"]),
            models.Index(fields=["date_of_birth"]),
            models.Index(fields=["nhs_number"]),
            models.Index(fields=["upn"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}".strip() or "Name not known"


class SourceRecord(ChildLevel):
    """An agency's own record of a child, under the agency's own id (rule (a))."""

    # No index of its own: the (agency, child) index and the (agency, record_id) unique
    # constraint serve every lookup by agency, and each index costs every import.
    agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        related_name="source_records",
        db_index=False,
        # No foreign-key constraint in the database: PostgreSQL checks one per inserted row
        # at commit, 4 s of a million-row first load (docs/decisions/0053). An agency is
        # never deleted (PROTECT; it leaves by being made inactive), and records are only
        # written for an agency that exists (the import holds its row locked).
        db_constraint=False,
    )
    record_id = models.CharField(max_length=100, help_text="The agency's own id for the person.")
    # Indexed below only where set: a first import writes every record unlinked, and a
    # million rows need not each add a NULL to two indexes (bench/bench_import.py).
    child = models.ForeignKey(
        Child,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="source_records",
        db_index=False,
    )
    given_name = models.CharField(max_length=100, blank=True)
    family_name = models.CharField(max_length=100, blank=True)
    other_names = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    upn = models.CharField(max_length=13, blank=True)
    # Columns of the extract the hub has no field for, kept as the agency sent them.
    attributes = models.JSONField(default=dict, blank=True)
    # Set when the record is new or its identity changed; `safeguarding link` takes
    # these and clears the flag, so a run links only what changed (incremental linkage).
    needs_linking = models.BooleanField(default=True)
    # How the record came to its child: by the linkage model, by a person, or as the
    # first record of a new child. Shown on the child's page and the review queue.
    link_method = models.CharField(max_length=20, blank=True)
    link_probability = models.FloatField(null=True, blank=True)
    # Typed into a form by a practitioner ("record a new child"), not sent in an extract.
    # Anyone who knows a child's name and date of birth could type them, so linkage never
    # joins such a record to another record automatically, whatever the probability: every
    # pair it is part of goes to the linkage officer (docs/decisions/0054).
    # A database default: the import writes records by COPY and INSERT … SELECT.
    entered_by_hand = models.BooleanField(default=False, db_default=False)
    import_batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        # No foreign-key constraint in the database: PostgreSQL checks one per inserted row
        # at commit (a tenth of a first load), and a batch is never deleted (PROTECT).
        db_constraint=False,
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["agency__name", "record_id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="one_record_per_agency_id")
        ]
        indexes: ClassVar = [
            # The involvement rule asks "which children does this agency hold records for";
            # a child's page asks for its records. A condition such as child_id = %s implies
            # the index's, so both databases use these for the queries that need them.
            models.Index(
                fields=["agency", "child"],
                name="records_by_agency_child",
                condition=models.Q(child__isnull=False),
            ),
            models.Index(
                fields=["child"], name="records_by_child", condition=models.Q(child__isnull=False)
            ),
            # Search by an agency's id, by NHS number and by UPN, always for records that
            # belong to a child: the identifiers' indexes leave out unlinked records and those
            # without one (most of a school's have no NHS number, most of a health trust's no
            # UPN). A first import writes every record unlinked, so it adds to none of them:
            # each was a tenth of a million-row load (bench/bench_import.py). A query must
            # repeat the conditions for SQLite to use them (children/access.py: _children_holding).
            models.Index(
                fields=["record_id"],
                name="records_by_record_id",
                condition=models.Q(child__isnull=False),
            ),
            models.Index(
                fields=["nhs_number"],
                name="records_by_nhs_number",
                condition=~models.Q(nhs_number="") & models.Q(child__isnull=False),
            ),
            models.Index(
                fields=["upn"],
                name="records_by_upn",
                condition=~models.Q(upn="") & models.Q(child__isnull=False),
            ),
            models.Index(
                fields=["needs_linking"],
                name="records_to_link",
                condition=models.Q(needs_linking=True),
            ),
            # The few records typed by hand, which linkage holds back from automatic links.
            models.Index(
                fields=["entered_by_hand"],
                name="records_entered_by_hand",
                condition=models.Q(entered_by_hand=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code}:{self.record_id}"


class ChildEvent(ChildLevel):
    """Something an agency recorded about a child: a line of the chronology."""

    source_record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="events")
    child = models.ForeignKey(
        Child, on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="child_events")
    # A code of the shipped catalogue (children/catalogue.py); its label is shown.
    event_type = models.CharField(max_length=60)
    occurred_at = models.DateTimeField()
    summary = models.TextField(blank=True)
    # Restricted entries (police intelligence, for one) are seen only by the source
    # agency and the members of a panel that has the child on its list.
    restricted = models.BooleanField(default=False)
    # Events carry no id of their own in an extract; this hash of (record, type, time,
    # summary) lets a re-imported events file update rather than duplicate.
    fingerprint = models.CharField(max_length=64, default="")
    import_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-occurred_at"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agency", "fingerprint"], name="one_event_per_fingerprint"
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["child", "-occurred_at"]),
            models.Index(fields=["agency", "child"]),
            models.Index(fields=["source_record"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} on {self.occurred_at:%Y-%m-%d}"

    @property
    def event_type_label(self) -> str:
        from safeguarding.children import catalogue

        entry = catalogue.find(self.event_type)
        return entry.label if entry else self.event_type


class PanelChild(ChildLevel):
    """A child on a panel's list: the panel's members may see them (rule (b))."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="list_entries")
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="panel_entries")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-added_at"]
        indexes: ClassVar = [models.Index(fields=["panel", "child", "removed_at"])]

    def __str__(self) -> str:
        return f"{self.child_id} on {self.panel}"


class SourceRecordVersion(ChildLevel):
    """A source record as it was before an import changed it: re-imports keep history."""

    source_record = models.ForeignKey(
        SourceRecord, on_delete=models.PROTECT, related_name="versions"
    )
    # The identity fields and attributes as they stood, and which batch replaced them.
    data = models.JSONField()
    replaced_at = models.DateTimeField(default=timezone.now)
    replaced_by_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-replaced_at"]

    def __str__(self) -> str:
        return f"{self.source_record_id} before {self.replaced_at:%Y-%m-%d}"


class ExtractKind(models.TextChoices):
    PERSONS = "persons", "Persons"
    EVENTS = "events", "Events"


class ImportChannel(models.TextChoices):
    COMMAND = "command", "Command line"
    UPLOAD = "upload", "Upload page"
    API = "api", "API"


class ImportStatus(models.TextChoices):
    CHECKED = "checked", "Checked, nothing loaded (dry run)"
    REFUSED = "refused", "Refused: errors found, nothing loaded"
    LOADED = "loaded", "Loaded"
    LOADED_VALID_ROWS = "loaded_valid", "Loaded the valid rows"
    FAILED = "failed", "Failed, nothing loaded"


class ImportBatch(models.Model):
    """One extract an agency sent, and what became of it.

    Not child-level: it holds counts and the problems found (row, column, reason; never
    the values), so that an agency's data officer can see their loads.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="import_batches")
    kind = models.CharField(max_length=10, choices=ExtractKind.choices)
    channel = models.CharField(max_length=10, choices=ImportChannel.choices)
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=ImportStatus.choices)
    rows_read = models.PositiveIntegerField(default=0)
    rows_created = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    # [{"row": 12, "column": "date_of_birth", "reason": "..."}], the first thousand.
    problems = models.JSONField(default=list, blank=True)
    problem_count = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering: ClassVar = ["-started_at"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"{self.agency.code} {self.kind} {self.started_at:%Y-%m-%d %H:%M}"


class ColumnMapping(models.Model):
    """How an agency's system names its columns: saved so its native export loads as is."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="column_mappings")
    kind = models.CharField(max_length=10, choices=ExtractKind.choices)
    # {"Forename": "given_name", "DOB": "date_of_birth", ...}
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["agency", "kind"], name="one_mapping_per_agency_kind")
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.kind} mapping"


class LinkageModel(models.Model):
    """A trained Splink model. The shipped one is loaded first; `link --train` adds more.

    The active one links; older ones are kept so that a new training can be compared.
    """

    name = models.CharField(max_length=100)
    settings = models.JSONField()
    # The thresholds on match probability: above `upper` link, between review, below new.
    upper_threshold = models.FloatField(default=0.99)
    lower_threshold = models.FloatField(default=0.5)
    trained_on_records = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class LinkageRun(models.Model):
    """One run of `safeguarding link`: what it considered and what it decided."""

    model = models.ForeignKey(LinkageModel, on_delete=models.PROTECT, related_name="runs")
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    records_considered = models.PositiveIntegerField(default=0)
    linked_automatically = models.PositiveIntegerField(default=0)
    sent_for_review = models.PositiveIntegerField(default=0)
    new_children = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["-started_at"]

    def __str__(self) -> str:
        return f"Linkage run {self.started_at:%Y-%m-%d %H:%M}"


class CandidateStatus(models.TextChoices):
    PENDING = "pending", "Awaiting review"
    CONFIRMED = "confirmed", "Confirmed: the same child"
    REJECTED = "rejected", "Rejected: different children"
    SUPERSEDED = "superseded", "No longer needed"


class LinkCandidate(ChildLevel):
    """A pair the model was unsure of: a new record and a record already in the index.

    The linkage officer sees them side by side with each field's agreement and weight.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    record = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    candidate = models.ForeignKey(SourceRecord, on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(LinkageRun, on_delete=models.PROTECT, related_name="candidates")
    match_probability = models.FloatField()
    match_weight = models.FloatField()
    # [{"field": "date_of_birth", "level": "day and month swapped", "weight": 4.2}, ...]
    comparisons = models.JSONField(default=list)
    status = models.CharField(
        max_length=12, choices=CandidateStatus.choices, default=CandidateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-match_probability"]
        indexes: ClassVar = [models.Index(fields=["status", "-match_probability"])]

    def __str__(self) -> str:
        return f"{self.record_id} ~ {self.candidate_id} ({self.match_probability:.2f})"


class IdentityChangeKind(models.TextChoices):
    MERGE = "merge", "Merge"
    SPLIT = "split", "Split"
    LINK = "link", "Link confirmed"


class IdentityChange(ChildLevel):
    """A merge or a split, with what it moved, so that it can be undone.

    A merge moves every record of `other` onto `child` and marks `other` merged; a split
    moves `records` from `child` onto the new child `other`. Undo moves them back.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=IdentityChangeKind.choices)
    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    other = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="+")
    # What moved, by primary key: {"records": [...], "events": [...]} and, for undo, what
    # each record was linked by before ("links_before").
    records = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["-at"]
        indexes: ClassVar = [models.Index(fields=["child"]), models.Index(fields=["other"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.child_id}/{self.other_id}"
