"""The partnership's structure, its people, and the audit log."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.utils import timezone

from safeguarding.core.roles import (
    AUDIT_ROLES,
    BREAK_GLASS_ROLES,
    CASEWORK_ROLES,
    IMPORT_ROLES,
    LINKAGE_ROLES,
    STRUCTURE_ROLES,
    USER_ADMIN_ROLES,
    Role,
)


class Partnership(models.Model):
    """The partnership's own settings. One row: the deployment serves one partnership."""

    name = models.CharField(max_length=200)
    area = models.CharField(max_length=200, help_text="The local authority area it serves.")
    financial_year_start_month = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    financial_year_start_day = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(28)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name


class AgencyKind(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", "Local authority"
    HEALTH_ICB = "health_icb", "Health: integrated care board"
    HEALTH_TRUST = "health_trust", "Health: trust"
    HEALTH_GP = "health_gp", "Health: GP practice"
    POLICE = "police", "Police"
    SCHOOL = "school", "School"
    COLLEGE = "college", "College"
    EARLY_YEARS = "early_years", "Early years"
    VOLUNTARY = "voluntary", "Voluntary sector"
    OTHER = "other", "Other"


class Agency(models.Model):
    code = models.SlugField(
        max_length=40,
        unique=True,
        help_text="Short code used in imports and exports, such as LA or POLICE.",
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$")],
    )
    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=30, choices=AgencyKind.choices)
    statutory_partner = models.BooleanField(
        default=False,
        help_text="One of the three statutory safeguarding partners; otherwise a relevant agency.",
    )
    email_domains = models.CharField(
        max_length=500, blank=True, help_text="Work email domains of its staff, comma-separated."
    )
    # An agency that leaves the partnership is removed, not deleted: its records and its
    # part in the audit log stay. Its users are signed out everywhere at once.
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["-statutory_partner", "name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.removed_at is None


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="users", null=True, blank=True
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering: ClassVar = ["full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.email})"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def roles(self) -> frozenset[str]:
        """The user's roles, read once per request object."""
        cached: frozenset[str] | None = getattr(self, "_roles_cache", None)
        if cached is None:
            cached = frozenset(self.role_grants.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]

    @property
    def does_casework(self) -> bool:
        return bool(self.roles & CASEWORK_ROLES)

    @property
    def may_break_glass(self) -> bool:
        return bool(self.roles & BREAK_GLASS_ROLES)

    @property
    def manages_structure(self) -> bool:
        return bool(self.roles & STRUCTURE_ROLES)

    @property
    def reviews_audit(self) -> bool:
        return bool(self.roles & AUDIT_ROLES)

    @property
    def administers_users(self) -> bool:
        return bool(self.roles & USER_ADMIN_ROLES)

    @property
    def imports_extracts(self) -> bool:
        return bool(self.roles & IMPORT_ROLES) and self.agency_id is not None

    @property
    def reviews_linkage(self) -> bool:
        return bool(self.roles & LINKAGE_ROLES)


class RoleGrant(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField(max_length=30, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class SubGroup(models.Model):
    name = models.CharField(max_length=200, unique=True)
    purpose = models.TextField(blank=True)
    chair = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="chaired_sub_groups"
    )
    members = models.ManyToManyField(User, blank=True, related_name="sub_groups")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class Priority(models.Model):
    """A partnership priority for a financial year (2024 means 2024 to 2025)."""

    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    number = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sub_group = models.ForeignKey(
        SubGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="priorities"
    )

    class Meta:
        ordering: ClassVar = ["-year", "number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["year", "number"], name="one_priority_number_per_year")
        ]
        verbose_name_plural = "priorities"

    def __str__(self) -> str:
        return f"{self.year_label}: {self.number}. {self.title}"

    @property
    def year_label(self) -> str:
        return f"{self.year} to {self.year + 1}"


class PanelKind(models.TextChoices):
    EXPLOITATION_RISK = "exploitation_risk", "Child exploitation risk assessment meeting"
    EXPLOITATION_DISRUPTION = "exploitation_disruption", "Child exploitation disruption meeting"
    MISSING = "missing", "Missing children panel"
    YOUNG_CARERS = "young_carers", "Young carers tracking meeting"
    OTHER = "other", "Other multi-agency panel"


class Panel(models.Model):
    """A multi-agency panel. Its members see the children on its list (rule (b))."""

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40, choices=PanelKind.choices)
    members = models.ManyToManyField(User, blank=True, related_name="panels")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class BreakGlass(models.Model):
    """A user opened a child's record outside the involvement rule, giving a reason.

    Access lasts BREAK_GLASS_SECONDS; every opening waits in the reviewers' queue.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glasses")
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, related_name="break_glasses"
    )
    reason = models.TextField()
    opened_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="break_glass_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    review_outcome = models.CharField(
        max_length=20,
        blank=True,
        choices=[("justified", "Justified"), ("not_justified", "Not justified: referred on")],
    )

    class Meta:
        ordering: ClassVar = ["-opened_at"]
        # The access check asks "does this user hold an unexpired break-glass for this child".
        indexes: ClassVar = [models.Index(fields=["user", "child", "expires_at"])]

    def __str__(self) -> str:
        return f"Break-glass by {self.user} at {self.opened_at:%Y-%m-%d %H:%M}"


class AuditAction(models.TextChoices):
    SIGN_IN = "sign_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGN_OUT = "sign_out", "Signed out"
    LOCKED_OUT = "locked_out", "Locked out"
    MFA_ADDED = "mfa_added", "MFA method added"
    MFA_REMOVED = "mfa_removed", "MFA method removed"
    MFA_RECOVERY_CODES = "mfa_recovery_codes", "Recovery codes generated"
    MFA_FAILED = "mfa_failed", "MFA code refused"
    SESSION_ENDED = "session_ended", "Session ended"
    CHILD_VIEW = "child_view", "Viewed a child"
    CHILD_LIST = "child_list", "Listed children"
    CHILD_CREATE = "child_create", "Created child data"
    CHILD_UPDATE = "child_update", "Changed child data"
    CHILD_DENIED = "child_denied", "Refused a child record"
    CHILD_SEARCH = "child_search", "Searched for a child"
    IMPORT = "import", "Imported an extract"
    LINKAGE_RUN = "linkage_run", "Ran record linkage"
    LINK_REVIEW = "link_review", "Decided a possible link"
    CHILD_MERGE = "child_merge", "Merged children"
    CHILD_SPLIT = "child_split", "Split a child"
    IDENTITY_UNDO = "identity_undo", "Undid a merge or split"
    API_TOKEN = "api_token", "Issued or revoked an API token"
    EXPORT = "export", "Exported"
    BREAK_GLASS = "break_glass", "Break-glass"
    BREAK_GLASS_REVIEW = "break_glass_review", "Reviewed a break-glass"
    AUDIT_SEARCH = "audit_search", "Searched the audit log"
    USER_CHANGE = "user_change", "Changed a user"
    STRUCTURE_CHANGE = "structure_change", "Changed the partnership's structure"
    TRAINING_CHANGE = "training_change", "Changed training courses, sessions or bookings"
    LEARNING_CHANGE = "learning_change", "Changed a review, audit, briefing or action"
    INDICATOR_CHANGE = "indicator_change", "Submitted or corrected indicator values"
    PUBLISH = "publish", "Published figures or a document"
    PANEL_DECISION = "panel_decision", "Recorded a panel's decision"
    SHARE = "share", "Shared a child's record with another agency"
    NOTICE = "notice", "Sent a notice about a child"
    PASSWORD_CHANGE = "password_change", "Changed, set or reset a password"
    SYSTEM_ACCESS = "system_access", "A process opened the whole child index"


class AppendOnlyQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("The audit log is append-only: entries cannot be updated.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only: entries cannot be deleted.")


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log (core/audit.py writes it).

    Nothing here points at other rows with a foreign key: the log outlives what it
    describes and never cascades. Who and which agency are copied as they were then.
    """

    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    at = models.DateTimeField()
    user_id = models.BigIntegerField(null=True, blank=True)
    user_email = models.CharField(max_length=254, blank=True)
    agency_code = models.CharField(max_length=40, blank=True)
    roles = models.CharField(max_length=300, blank=True)
    action = models.CharField(max_length=40, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    # The child the entry concerns, by the child's public id, so that "who looked at this
    # child" is one index range scan (benchmarked at one million entries).
    child_ref = models.CharField(max_length=36, blank=True)
    purpose = models.TextField(blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering: ClassVar = ["-seq"]
        verbose_name_plural = "audit entries"
        indexes: ClassVar = [
            models.Index(fields=["child_ref", "-seq"], name="audit_by_child"),
            models.Index(fields=["user_id", "-seq"], name="audit_by_user"),
            models.Index(fields=["action", "-seq"], name="audit_by_action"),
            models.Index(Upper("user_email"), models.F("seq").desc(), name="audit_by_email"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.user_email or 'system'}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("The audit log is append-only: an entry cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("The audit log is append-only: an entry cannot be deleted.")


class ChildLevel(models.Model):
    """Marker for models holding data about an identifiable child: read and changed only
    through the access helpers (core/access). Core's, so that an app's child-level model
    needs nothing of the child index but its name, "children.Child" (decision 0062)."""

    child_level: ClassVar[bool] = True

    class Meta:
        abstract = True


class ApiToken(models.Model):
    """A token an agency's system presents to the hub's APIs (the child index's import,
    the data set's values, the exploitation flag register): core/tokens.py issues and
    checks them, core/api.py's `token_required` guards an API view with one.

    Only a hash is stored; the token is shown once, when issued. The table keeps the name
    it had in the child index, where tokens began (decision 0063).
    """

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    token_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "children_apitoken"
        ordering: ClassVar = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.agency.code}: {self.name}"
