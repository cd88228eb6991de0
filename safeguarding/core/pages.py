"""What a page with a form shares: show the form; on a valid POST, save it through an
action, say so and go on; if the action refuses, show the form again with the reason
(decision 0063). Every app's form pages use it, so that a refusal reads the same
everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from safeguarding.core.refusals import Refused

EDIT_TEMPLATE = "core/edit.html"


def add_refusal(form: forms.BaseForm, refusal: Refused | ValidationError) -> None:
    """Put an action's refusal on the form: a ValidationError's field errors on their
    fields (the rest on the form), any other refusal's message on the form as a whole."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for name, errors in refusal.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(refusal, ValidationError):
        form.add_error(None, refusal)
    else:
        form.add_error(None, str(refusal))


def form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str = "",
    template: str = EDIT_TEMPLATE,
    save: Callable[[Any], Any] | None = None,
    done: str | Callable[[Any], str] | None = None,
    success: str | None = None,
    back: str | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The form page: GET, or a POST the form or the action refuses, shows `template` with
    the form, `title`, `back` and `context`; a valid POST calls `save(form)` (an action),
    says `success` (default "<title>: saved.") and redirects to `done` (a URL or URL name,
    or a function of what `save` returned). Without `save`, the page only shows the form
    (the view saves it itself). A refusal that is a PermissionDenied stays a 403."""
    if save is not None and done is None:
        raise ValueError("form_page needs `done` to go on to after saving.")
    if save is not None and request.method == "POST" and form.is_valid():
        try:
            saved = save(form)
        except (Refused, ValidationError) as refusal:
            if isinstance(refusal, PermissionDenied):
                raise
            add_refusal(form, refusal)
        else:
            messages.success(request, success if success is not None else f"{title}: saved.")
            return redirect(done(saved) if callable(done) else done)  # type: ignore[arg-type]
    shown: dict[str, Any] = {"form": form, "title": title}
    if back is not None:
        shown["back"] = back
    return render(request, template, {**shown, **(context or {})})
