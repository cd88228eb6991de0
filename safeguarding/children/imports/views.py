"""Pages for an agency's data officers: upload extracts, see what became of them, map
columns, and issue the tokens their systems push with.

A data officer sees only their own agency's batches, mappings and tokens; another agency's
batch is the same 404 as one that does not exist. The pages never show a child's values:
a batch holds counts and problems by row, column and reason.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from safeguarding.children.imports import actions as import_actions
from safeguarding.children.imports import queries as import_queries
from safeguarding.children.imports.columns import EVENT_FIELDS, PERSON_FIELDS
from safeguarding.children.imports.forms import (
    ON_ERRORS_VALID,
    LoadChoiceForm,
    MappingForm,
    SampleForm,
    TokenForm,
    UploadForm,
    guess_mapping,
)
from safeguarding.children.imports.problems import ImportRefused, Problem
from safeguarding.children.imports.queries import saved_mapping
from safeguarding.children.models import ExtractKind, ImportStatus
from safeguarding.core import tokens
from safeguarding.core.access import signed_in_user
from safeguarding.core.decorators import role_required
from safeguarding.core.exports import csv_response
from safeguarding.core.roles import IMPORT_ROLES

PROBLEMS_PER_PAGE = 100
View = Callable[..., HttpResponse]


class SizeLimitHandler(FileUploadHandler):
    """Skips a file above SAFEGUARDING_UPLOAD_MAX_BYTES and says so on the request.

    Put first among the handlers, it stops the bytes of an over-large file reaching the
    temporary file at all; the page then explains the limit instead of failing.
    """

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > settings.SAFEGUARDING_UPLOAD_MAX_BYTES:
            assert self.request is not None  # noqa: S101 - Django always passes it
            self.request.upload_too_big = True  # type: ignore[attr-defined]
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limited_upload(view: View) -> View:
    """Size-limit file uploads, keeping CSRF protection (Django's documented pattern for
    changing upload handlers: the handlers must be set before the CSRF check reads POST)."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        request.upload_handlers.insert(0, SizeLimitHandler(request))
        return protected(request, *args, **kwargs)

    return wrapped


def _too_big(request: HttpRequest) -> str:
    if not getattr(request, "upload_too_big", False):
        return ""
    limit = settings.SAFEGUARDING_UPLOAD_MAX_BYTES // (1024 * 1024)
    return f"The file must be smaller than {limit} MB: split it into parts, or send it by the API."


def _kind(kind: str) -> str:
    if kind not in ExtractKind.values:
        raise Http404("No such kind of extract.")
    return kind


@role_required(*IMPORT_ROLES)
def batch_list(request: HttpRequest) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    page = Paginator(import_queries.agency_batches(agency), 50).get_page(request.GET.get("page"))
    return render(request, "children/imports/batch_list.html", {"page": page, "agency": agency})


@role_required(*IMPORT_ROLES)
@limited_upload
def upload(request: HttpRequest) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    form = UploadForm(request.POST or None, request.FILES or None, too_big=_too_big(request))
    if request.method == "POST" and form.is_valid():
        extract = form.cleaned_data["extract"]
        try:
            batch = import_actions.upload_extract(
                request,
                import_actions.extract_source(extract),
                file_name=extract.name,
                kind=form.cleaned_data["kind"],
                dry_run=form.cleaned_data["dry_run"],
                load_valid_rows=form.cleaned_data["on_errors"] == ON_ERRORS_VALID,
                encoding=form.cleaned_data["encoding"],
            )
        except ImportRefused as refused:
            for problem in refused.problems:
                form.add_error("extract", _file_problem(problem))
        else:
            if batch.status in (ImportStatus.CHECKED, ImportStatus.REFUSED):
                import_actions.hold_extract(batch, extract, form.cleaned_data["encoding"])
            return redirect("imports:batch", public_id=batch.public_id)
    return render(request, "children/imports/upload.html", _upload_context(form, agency))


def _file_problem(problem: Problem) -> str:
    """A problem with the file as a whole, for the error summary. The header is row 1, so
    only a later row is named."""
    reason = _sentence(problem.reason)
    return f"Row {problem.row}: {reason}" if problem.row and problem.row > 1 else reason


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _upload_context(form: UploadForm, agency: Any) -> dict[str, Any]:
    mappings = {kind: import_queries.agency_mapping(agency, kind) for kind in ExtractKind.values}
    limit = settings.SAFEGUARDING_UPLOAD_MAX_BYTES // (1024 * 1024)
    return {"form": form, "agency": agency, "mappings": mappings, "limit_mb": limit}


@role_required(*IMPORT_ROLES)
def batch_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    batch = import_queries.agency_batch(agency, public_id)
    problems = Paginator(batch.problems, PROBLEMS_PER_PAGE).get_page(request.GET.get("page"))
    can_choose = (
        batch.status in (ImportStatus.CHECKED, ImportStatus.REFUSED)
        and batch.rows_read > batch.rows_rejected
        and import_actions.held_extract(batch) is not None
    )
    context = {
        "batch": batch,
        "page": problems,
        "can_choose": can_choose,
        "choice_form": LoadChoiceForm(),
        "problems_kept": import_queries.PROBLEMS_KEPT,
    }
    return render(request, "children/imports/batch_detail.html", context)


@role_required(*IMPORT_ROLES)
def batch_load(request: HttpRequest, public_id: str) -> HttpResponse:
    """The choice after a check: load the held file (its valid rows), or load nothing."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    batch = import_queries.agency_batch(
        import_queries.own_agency(signed_in_user(request)), public_id
    )
    form = LoadChoiceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose whether to load the valid rows or nothing.")
        return redirect("imports:batch", public_id=batch.public_id)
    held = import_actions.held_extract(batch)
    import_actions.release_extract(batch)
    if form.cleaned_data["choice"] != ON_ERRORS_VALID:
        messages.info(request, "Nothing was loaded. Correct the file and upload it again.")
        return redirect("imports:batch", public_id=batch.public_id)
    if held is None:
        messages.error(
            request, "The file is no longer kept: upload it again, choosing to load the valid rows."
        )
        return redirect("imports:upload")
    loaded = import_actions.upload_extract(
        request,
        io.BytesIO(held.data),
        file_name=held.file_name,
        kind=batch.kind,
        load_valid_rows=True,
        encoding=held.encoding,
    )
    return redirect("imports:batch", public_id=loaded.public_id)


@role_required(*IMPORT_ROLES)
def batch_problems_csv(request: HttpRequest, public_id: str) -> HttpResponse:
    batch = import_queries.agency_batch(
        import_queries.own_agency(signed_in_user(request)), public_id
    )
    rows = [
        [problem.get("row", ""), problem.get("column", ""), problem.get("reason", "")]
        for problem in batch.problems
    ]
    name = f"problems-{batch.kind}-{batch.started_at:%Y%m%d-%H%M}.csv"
    return csv_response([["row", "column", "reason"], *rows], name)


@role_required(*IMPORT_ROLES)
def mapping_list(request: HttpRequest) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    kinds = [
        (ExtractKind.PERSONS, list(PERSON_FIELDS)),
        (ExtractKind.EVENTS, list(EVENT_FIELDS)),
    ]
    rows = [(kind, kind.label, import_queries.agency_mapping(agency, kind)) for kind, _ in kinds]
    return render(request, "children/imports/mapping_list.html", {"rows": rows, "agency": agency})


@role_required(*IMPORT_ROLES)
@limited_upload
def mapping_edit(request: HttpRequest, kind: str) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    fields = list(PERSON_FIELDS if _kind(kind) == ExtractKind.PERSONS else EVENT_FIELDS)
    current = {field: header for header, field in saved_mapping(agency, kind).items() if field}
    sample = SampleForm(prefix="sample")
    form = MappingForm(initial=current, fields=fields)
    if request.method == "POST" and "read_headers" in request.POST:
        sample = SampleForm(request.POST, request.FILES, prefix="sample", too_big=_too_big(request))
        if sample.is_valid():
            headers = sample.cleaned_data["sample"]
            guessed = {**current, **guess_mapping(fields, headers)}
            form = MappingForm(initial=guessed, fields=fields, headers=headers)
    elif request.method == "POST":
        form = MappingForm(request.POST, fields=fields)
        if form.is_valid() and _saved(request, agency, kind, form):
            return redirect("imports:mappings")
    context = {"form": form, "sample": sample, "kind": ExtractKind(kind), "agency": agency}
    return render(request, "children/imports/mapping_edit.html", context)


def _saved(request: HttpRequest, agency: Any, kind: str, form: MappingForm) -> bool:
    try:
        import_actions.save_column_mapping(request, agency, kind, form.mapping())
    except ImportRefused as refused:
        for problem in refused.problems:
            form.add_error(None, _sentence(str(problem)))
        return False
    messages.success(
        request, f"The column mapping for {ExtractKind(kind).label.lower()} files is saved."
    )
    return True


@role_required(*IMPORT_ROLES)
def token_list(request: HttpRequest) -> HttpResponse:
    agency = import_queries.own_agency(signed_in_user(request))
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = tokens.issue_token(request, name=form.cleaned_data["name"])
        form = TokenForm()
    context = {"form": form, "issued": issued, "tokens": import_queries.agency_tokens(agency)}
    response = render(request, "children/imports/token_list.html", context)
    if issued is not None:
        # The token is in this page only: no copy may be kept by a cache or the browser.
        response["Cache-Control"] = "no-store"
    return response


@role_required(*IMPORT_ROLES)
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    agency = import_queries.own_agency(signed_in_user(request))
    token = import_queries.agency_token(agency, prefix)
    if tokens.revoke_token(request, token):
        messages.success(
            request,
            f"The token '{token.name}' is revoked: the system using it can no longer send records.",
        )
    return redirect("imports:tokens")
