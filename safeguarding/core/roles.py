"""The roles a user can hold, and what each may do.

A user belongs to one agency and holds one or more roles (DESIGN.md, "Access"). What a
role allows is written here once, so that views, navigation and the access helpers ask
the same question the same way.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner"
    PANEL_MEMBER = "panel_member", "Panel member"
    PARTNERSHIP_OFFICER = "partnership_officer", "Partnership officer"
    ANALYST = "analyst", "Analyst"
    EXECUTIVE = "executive", "Executive"
    AGENCY_ADMIN = "agency_admin", "Agency admin"
    SYSTEM_ADMIN = "system_admin", "System admin"
    # Not in DESIGN.md's list: the partnership's information governance lead, who answers
    # "who looked at this child" and reviews break-glass (docs/decisions/0007-ig-lead-role.md).
    IG_LEAD = "ig_lead", "Information governance lead"
    # The child index adds two (docs/decisions/0016-data-roles.md): an agency's data
    # officer loads that agency's extracts; the partnership's linkage officer confirms or
    # rejects uncertain links and merges and splits children.
    DATA_OFFICER = "data_officer", "Data officer"
    LINKAGE_OFFICER = "linkage_officer", "Linkage officer"
    # Training adds one (docs/decisions/0025-trainer-role.md): a trainer runs the register of
    # their own sessions and sees no one else's.
    TRAINER = "trainer", "Trainer"
    # A school's designated safeguarding lead: told when a pupil returns from being missing
    # (docs/decisions/0037-designated-safeguarding-lead.md).
    DSL = "dsl", "Designated safeguarding lead"


# Roles whose holders work with children by name. Only they can ever see an
# identifiable child record, and only under the involvement rule (core/access/).
CASEWORK_ROLES = frozenset({Role.PRACTITIONER, Role.PANEL_MEMBER, Role.DSL})

# Roles that may open a record by break-glass, giving a reason that is reviewed later.
BREAK_GLASS_ROLES = frozenset({Role.PRACTITIONER, Role.PANEL_MEMBER})

# Who may manage the partnership's structure (agencies, sub-groups, priorities, settings).
STRUCTURE_ROLES = frozenset({Role.PARTNERSHIP_OFFICER, Role.SYSTEM_ADMIN})

# Roles whose holders work with children by name within a school (the school's own
# pupils, by the involvement rule); they are casework roles too.
SCHOOL_ROLES = frozenset({Role.DSL})

# Who may search the audit log and review break-glass.
AUDIT_ROLES = frozenset({Role.IG_LEAD, Role.SYSTEM_ADMIN})

# Who manages users, and of which agency: an agency admin their own, a system admin any.
USER_ADMIN_ROLES = frozenset({Role.AGENCY_ADMIN, Role.SYSTEM_ADMIN})

# Who may load their own agency's extracts (upload page, API tokens).
IMPORT_ROLES = frozenset({Role.DATA_OFFICER})

# Who works the linkage review queue and merges and splits children. The queue shows
# records of every agency side by side, so the role is partnership-wide.
LINKAGE_ROLES = frozenset({Role.LINKAGE_OFFICER})

# Who runs the register of a training session (their own sessions only).
TRAINER_ROLES = frozenset({Role.TRAINER})

# Roles only a system admin hands out; an agency admin cannot grant them, nor manage
# a user who holds one.
PARTNERSHIP_WIDE_ROLES = frozenset(
    {Role.SYSTEM_ADMIN, Role.IG_LEAD, Role.PARTNERSHIP_OFFICER, Role.LINKAGE_OFFICER}
)
