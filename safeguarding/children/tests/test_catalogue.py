"""The shipped catalogue of event types."""

from __future__ import annotations

from safeguarding.children.catalogue import event_types, find


def test_the_catalogue_covers_the_event_types_the_child_index_needs() -> None:
    codes = {entry.code for entry in event_types()}
    needed = {
        "mash_contact", "mash_referral", "early_help_assessment", "cin_start", "cin_end", "cp_start",
        "cp_end", "lac_start", "lac_end", "police_protection", "domestic_abuse_incident",
        "missing_episode", "ae_attendance", "camhs_referral", "camhs_discharge",
        "school_suspension", "exclusion", "persistent_absence", "exploitation_concern",
        "harmful_sexual_behaviour", "young_carer_identified",
    }  # fmt: skip
    assert needed <= codes


def test_an_event_type_is_found_by_code_or_label_in_any_case() -> None:
    by_code = find("missing_episode")
    assert by_code is not None and by_code.label == "Missing episode"
    assert find("  MISSING   episode ") == by_code
    assert find("Missing Episode") == by_code
    assert find("a&e attendance") == find("ae_attendance")


def test_an_unknown_event_type_is_not_guessed() -> None:
    assert find("Missing episodes") is None
    assert find("") is None


def test_police_intelligence_is_restricted_by_default() -> None:
    intelligence = find("police_intelligence")
    assert intelligence is not None and intelligence.restricted_by_default
    assert not any(e.restricted_by_default for e in event_types() if e.group != "Police")


def test_every_code_and_label_names_one_entry() -> None:
    owners: dict[str, set[str]] = {}
    for entry in event_types():
        for name in (entry.code.replace("_", " "), entry.label):
            owners.setdefault(name.casefold(), set()).add(entry.code)
    assert all(len(codes) == 1 for codes in owners.values())
