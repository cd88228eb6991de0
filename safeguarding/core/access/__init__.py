"""Need to know: the one helper family through which child-level data is read or changed.

A child's identifiable record is visible to a user only while

  (a) the user's agency is involved with the child: it holds a source record or an
      event about them, or an open action (each domain app adds its own kind of
      involvement with `register_involvement`);
  (b) the user sits on a panel that has the child on its list; or
  (c) the user opened the record by break-glass, giving a reason, within the last
      BREAK_GLASS_SECONDS.

and only to users who hold a casework role. Otherwise the child does not exist for the
user: the same 404 as for a child that does not exist. Every look and every change is
written to the audit log here, so that checking and recording cannot be separated.

The family, one module each (docs/decisions/0061):

- `rules`: the rule itself (grounds, visible_children, get_child, list_children, the
  writable check, the child's records, chronology and panels);
- `breakglass`: rule (c), its brake and its review;
- `rows`: the generic family for every domain app's child-level rows (rows_for_child,
  panel_rows, visible_rows, list_rows, child_row, save_child_row, …);
- `counts`: counts of child-level rows for the figures, never a row;
- `records`: a practitioner's own record of a child the hub does not know;
- `system`: `SystemAccess`, for the processes that act for no user (an allow-list,
  each one audited);
- `tracker`: the children behind the one action tracker's actions, as the apps owning
  such actions register them.

Each domain app keeps its own child-level queries in its own `access.py`, built from this
family (children/access.py: the linkage review, search and export; exploitation, missing,
education and young carers likewise). The package imports nothing of any app but the
child index (`children`), whose models the rule is about: the one arrow up from core
(docs/decisions/0062).

Code elsewhere never queries the child-level models itself, nor follows their reverse
relations (the test core/tests/test_access_boundary.py fails if it does): it asks these
helpers.
"""

from safeguarding.core.access.breakglass import (
    BreakGlassRefused,
    break_glass,
    break_glass_queue,
    check_may_break_glass,
    review_break_glass,
)
from safeguarding.core.access.counts import Counts, Grouped, NotACount, rows_for_counts
from safeguarding.core.access.records import ENTERED_BY_HAND, RecordIdTaken, record_new_child
from safeguarding.core.access.rows import (
    CheckedKeys,
    agency_rows,
    child_row,
    create_panel_rows,
    is_panel_member,
    list_rows,
    panel_rows,
    put_on_panel_list,
    rows_for_child,
    save_child_row,
    tracker_involvement,
    update_if_version,
    update_panel_rows,
    visible_rows,
)
from safeguarding.core.access.rules import (
    ChildAccess,
    Grounds,
    InvolvementSource,
    ReadOnlyGrounds,
    _involvement_sources,  # noqa: F401 - tests add sources
    check_writable,
    child_events,
    child_panels,
    child_records,
    children_by_upn,
    children_in_sight,
    get_child,
    get_child_to_change,
    grounds_for,
    list_children,
    public_id_of_pseudonym,
    record_holders,
    record_write,
    register_involvement,
    resolve_merged,
    signed_in_user,
    visible_children,
    visible_children_among,
)
from safeguarding.core.access.system import SystemAccess, system_rows
from safeguarding.core.access.tracker import (
    child_action_view,
    child_actions_shown,
    is_child_action,
    register_action_children,
)

__all__ = [
    "child_action_view",
    "child_actions_shown",
    "is_child_action",
    "register_action_children",
    "ENTERED_BY_HAND",
    "BreakGlassRefused",
    "CheckedKeys",
    "ChildAccess",
    "Counts",
    "Grounds",
    "Grouped",
    "InvolvementSource",
    "NotACount",
    "ReadOnlyGrounds",
    "RecordIdTaken",
    "SystemAccess",
    "agency_rows",
    "break_glass",
    "break_glass_queue",
    "check_may_break_glass",
    "check_writable",
    "child_events",
    "child_panels",
    "child_records",
    "child_row",
    "children_by_upn",
    "children_in_sight",
    "create_panel_rows",
    "get_child",
    "get_child_to_change",
    "grounds_for",
    "is_panel_member",
    "list_children",
    "list_rows",
    "public_id_of_pseudonym",
    "panel_rows",
    "put_on_panel_list",
    "record_holders",
    "record_new_child",
    "record_write",
    "register_involvement",
    "resolve_merged",
    "review_break_glass",
    "rows_for_child",
    "rows_for_counts",
    "save_child_row",
    "signed_in_user",
    "system_rows",
    "tracker_involvement",
    "update_if_version",
    "update_panel_rows",
    "visible_children",
    "visible_children_among",
    "visible_rows",
]
