"""Sending values: validation, corrections with history, the template round trip, the API,
comparators, the catalogue and reminders."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from safeguarding.conftest import World
from safeguarding.core.models import ApiToken, AuditEntry
from safeguarding.core.tokens import TOKEN_SCHEME, token_hash
from safeguarding.insight import actions, comparator_actions, workbook
from safeguarding.insight.actions import Refused, Value
from safeguarding.insight.models import Comparator, Correction, Indicator, Reminder, Submission
from safeguarding.insight.periods import Frequency, Period
from safeguarding.insight.tests.conftest import add_series

TODAY = dt.date(2025, 6, 20)
Q4 = Period(dt.date(2025, 1, 1), Frequency.QUARTERLY)
APRIL = Period(dt.date(2025, 4, 1), Frequency.MONTHLY)


def test_a_percentage_is_worked_out_from_its_numerator_and_denominator(
    world: World, rhi: Indicator
) -> None:
    saved = actions.submit_value(
        indicator=rhi,
        period=Q4,
        agency=world.la,
        raw=Value(None, 45, 60),
        channel="form",
        user=world.users["data_officer"],
        today=TODAY,
    )
    assert saved.value == Decimal("75.00")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (Value(Decimal("120")), "cannot be more than 100"),
        (Value(Decimal("-1")), "cannot be negative"),
        (Value(None, 70, 60), "numerator cannot be more than the denominator"),
        (Value(None, 5, 0), "denominator cannot be 0"),
        (Value(None, 5, None), "both the numerator and the denominator"),
        (Value(Decimal("50"), 45, 60), "does not match"),
        (Value(None), "Enter a value"),
    ],
)
def test_an_invalid_percentage_is_refused_with_its_reason(
    world: World, rhi: Indicator, raw: Value, reason: str
) -> None:
    with pytest.raises(Refused) as refused:
        actions.submit_value(
            indicator=rhi,
            period=Q4,
            agency=world.la,
            raw=raw,
            channel="form",
            user=world.users["data_officer"],
            today=TODAY,
        )
    assert reason in str(refused.value)
    assert not Submission.objects.exists()


def test_a_count_must_be_whole_and_its_period_must_have_ended(
    world: World, episodes: Indicator
) -> None:
    with pytest.raises(Refused, match="whole number"):
        actions.submit_value(
            indicator=episodes,
            period=APRIL,
            agency=world.la,
            raw=Value(Decimal("2.5")),
            channel="form",
            user=None,
            today=TODAY,
        )
    june = Period(dt.date(2025, 6, 1), Frequency.MONTHLY)
    with pytest.raises(Refused, match="has not ended"):
        actions.submit_value(
            indicator=episodes,
            period=june,
            agency=world.la,
            raw=Value(Decimal("2")),
            channel="form",
            user=None,
            today=TODAY,
        )


def test_a_second_value_for_the_same_period_must_be_a_correction(
    world: World, episodes: Indicator
) -> None:
    args = {
        "indicator": episodes,
        "period": APRIL,
        "agency": world.la,
        "channel": "form",
        "user": None,
        "today": TODAY,
    }
    actions.submit_value(raw=Value(Decimal("40")), **args)  # type: ignore[arg-type]
    with pytest.raises(Refused, match="correct it"):
        actions.submit_value(raw=Value(Decimal("41")), **args)  # type: ignore[arg-type]


def test_a_correction_keeps_the_old_value_who_changed_it_and_why(
    world: World, episodes: Indicator
) -> None:
    officer = world.users["data_officer"]
    held = actions.submit_value(
        indicator=episodes,
        period=APRIL,
        agency=world.la,
        raw=Value(Decimal("40")),
        channel="form",
        user=officer,
        today=TODAY,
    )
    with pytest.raises(Refused, match="Say why"):
        actions.correct_value(held, Value(Decimal("43")), reason=" ", user=officer, today=TODAY)
    actions.correct_value(
        held,
        Value(Decimal("43")),
        reason="Three late reports from the night shift",
        user=officer,
        today=TODAY,
    )
    held.refresh_from_db()
    assert held.value == Decimal("43")
    correction = Correction.objects.get()
    assert (correction.old_value, correction.new_value) == (Decimal("40"), Decimal("43"))
    assert correction.by == officer and "night shift" in correction.reason
    assert AuditEntry.objects.filter(action="indicator_change", detail__what="corrected").exists()


def test_the_template_round_trip_loads_every_row(world: World, episodes: Indicator) -> None:
    content = workbook.build_template(world.la, APRIL)
    book = load_workbook(io.BytesIO(content))
    sheet = book["Values"]
    assert sheet.cell(2, 1).value == "missing-episodes"
    sheet.cell(2, 7).value = 37
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    result = workbook.read_upload(None, out, user=world.users["data_officer"], today=TODAY)
    assert result.submitted == 1
    assert Submission.objects.get().value == Decimal("37")


def test_a_title_that_looks_like_a_formula_is_text_in_the_template(
    world: World, episodes: Indicator
) -> None:
    import zipfile

    episodes.title = '=HYPERLINK("http://evil.example","Missing")'
    episodes.save()
    content = workbook.build_template(world.la, APRIL)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = "".join(
            archive.read(name).decode() for name in archive.namelist() if "worksheets" in name
        )
    assert "<f>" not in sheets
    assert load_workbook(io.BytesIO(content))["Values"].cell(2, 2).value == episodes.title


def _upload(rows: list[list[object]]) -> io.BytesIO:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Values"
    sheet.append(list(workbook.COLUMNS))
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_an_upload_with_any_problem_loads_nothing_and_names_each_row_and_column(
    world: World, episodes: Indicator, rhi: Indicator
) -> None:
    upload = _upload(
        [
            ["missing-episodes", "", "", "", "2025-04-01", None, 30, None, None, None],
            ["missing-episodes", "", "", "", "2025-05-01", None, "lots", None, None, None],
            ["no-such-thing", "", "", "", "2025-04-01", None, 3, None, None, None],
            ["rhi-72-hours", "", "", "", "2025-02-01", None, 70, None, None, None],
        ]
    )
    with pytest.raises(Refused) as refused:
        workbook.read_upload(None, upload, user=world.users["data_officer"], today=TODAY)
    found = {(p.row, p.column) for p in refused.value.problems}
    assert found == {(3, "value"), (4, "code"), (5, "period start")}
    assert not Submission.objects.exists()


def test_an_upload_changing_a_held_value_needs_a_reason_in_its_row(
    world: World, episodes: Indicator
) -> None:
    add_series(episodes, world.la, APRIL.start, [30])
    upload = _upload([["missing-episodes", "", "", "", "2025-04-01", 30, 32, None, None, None]])
    with pytest.raises(Refused) as refused:
        workbook.read_upload(None, upload, user=world.users["data_officer"], today=TODAY)
    assert refused.value.problems[0].column == "reason for correction"
    upload = _upload(
        [["missing-episodes", "", "", "", "2025-04-01", 30, 32, None, None, "Recount"]]
    )
    result = workbook.read_upload(None, upload, user=world.users["data_officer"], today=TODAY)
    assert result.corrected == 1
    assert Correction.objects.get().reason == "Recount"


def test_an_agency_cannot_send_another_agencys_indicator(world: World, episodes: Indicator) -> None:
    episodes.source_agency = world.police
    episodes.save()
    upload = _upload([["missing-episodes", "", "", "", "2025-04-01", None, 30, None, None, None]])
    with pytest.raises(Refused, match="does not send"):
        workbook.read_upload(None, upload, user=world.users["data_officer"], today=TODAY)


def test_a_file_that_is_not_a_workbook_is_refused(world: World) -> None:
    with pytest.raises(Refused, match="not an Excel workbook"):
        workbook.read_upload(None, io.BytesIO(b"code,value\n"), user=world.users["data_officer"])


def _token(world: World) -> str:
    plain = f"{TOKEN_SCHEME}_abcd2345_{'x' * 43}"
    ApiToken.objects.create(
        agency=world.la,
        name="Case system",
        prefix="abcd2345",
        token_hash=token_hash(plain),
        created_by=world.users["data_officer"],
    )
    return plain


def test_the_api_stores_values_sent_with_an_agency_token(world: World, episodes: Indicator) -> None:
    body = {
        "values": [{"indicator": "missing-episodes", "period_start": "2024-04-01", "value": 12}]
    }
    response = Client().post(
        reverse("insight:api_values"),
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(world)}"},
    )
    assert response.status_code == 201, response.content
    assert response.json() == {"submitted": 1, "corrected": 0, "unchanged": 0}
    assert Submission.objects.get().channel == "api"


def test_the_api_refuses_all_when_one_value_is_bad(world: World, episodes: Indicator) -> None:
    body = {
        "values": [
            {"indicator": "missing-episodes", "period_start": "2024-04-01", "value": 12},
            {"indicator": "missing-episodes", "period_start": "2024-05-01", "value": -3},
        ]
    }
    response = Client().post(
        reverse("insight:api_values"),
        json.dumps(body),
        content_type="application/json",
        headers={"Authorization": f"Bearer {_token(world)}"},
    )
    assert response.status_code == 400
    assert response.json()["problems"][0]["row"] == 2
    assert not Submission.objects.exists()


def test_the_api_turns_away_a_request_without_a_token(world: World) -> None:
    response = Client().post(reverse("insight:api_values"), "{}", content_type="application/json")
    assert response.status_code == 401


def test_comparators_load_from_csv_all_or_nothing(world: World, rhi: Indicator) -> None:
    good = "indicator,comparator,year,value,source\nrhi-72-hours,england,2023/24,63,DfE\n"
    assert comparator_actions.import_comparators(None, good) == 1
    assert Comparator.objects.get().value == Decimal("63")
    bad = good + "rhi-72-hours,moon,2024,x,\n"
    with pytest.raises(Refused) as refused:
        comparator_actions.import_comparators(None, bad)
    assert {p.column for p in refused.value.problems} == {"comparator", "value"}
    assert Comparator.objects.count() == 1


def test_the_default_catalogue_loads_once_and_keeps_edits(world: World) -> None:
    made = actions.load_default_catalogue()
    assert made >= 20
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert {
        "missing-episodes",
        "cme-rate",
        "ehe-register",
        "young-carers",
        "mh-waiting",
        "mh-average-wait",
        "attendance",
        "front-door-contacts",
        "cp-plans-rate",
        "cin-rate",
        "hsb-referrals",
        "training-attendees",
    } <= codes
    Indicator.objects.filter(code="attendance").update(title="Attendance (all schools)")
    assert actions.load_default_catalogue() == 0
    assert Indicator.objects.get(code="attendance").title == "Attendance (all schools)"
    assert Indicator.objects.get(code="rhi-72-hours").source_agency == world.la


def test_reminders_go_to_the_agencys_data_officers_once_a_day(
    world: World, episodes: Indicator
) -> None:
    run = actions.send_reminders(TODAY)
    assert run.sent >= 1
    assert mail.outbox[0].to == ["data@la.example"]
    assert "Missing episodes" in mail.outbox[0].body
    again = actions.send_reminders(TODAY)
    assert again.sent == 0 and len(mail.outbox) == 1
    assert Reminder.objects.filter(agency=world.la).count() == run.sent


def test_the_commands_load_the_catalogue_and_send_reminders(world: World) -> None:
    from django.core.management import call_command

    out = io.StringIO()
    call_command("load_indicators", stdout=out)
    assert "indicators added" in out.getvalue()
    out = io.StringIO()
    call_command("insight_reminders", "--today", "2025-06-20", stdout=out)
    assert "reminded" in out.getvalue()
    assert mail.outbox
