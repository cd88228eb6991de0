"""The sso pages: the system admin registers providers; the agency admin sees theirs and
who the leaver check disabled. Thin: reads in queries.py, changes in actions.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from safeguarding.core.access import signed_in_user
from safeguarding.core.decorators import role_required
from safeguarding.core.roles import USER_ADMIN_ROLES, Role
from safeguarding.sso import actions, queries
from safeguarding.sso.forms import AccountCreationForm, ProviderForm


@role_required(Role.SYSTEM_ADMIN)
def provider_list(request: HttpRequest) -> HttpResponse:
    return render(request, "sso/provider_list.html", {"providers": queries.providers()})


@role_required(Role.SYSTEM_ADMIN)
def provider_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    idp = queries.provider(pk) if pk else None
    form = ProviderForm(request.POST or None, instance=idp)
    if request.method == "POST" and form.is_valid():
        saved = actions.save_provider(request, form)
        messages.success(request, f"{saved.agency.name}'s sign-in: saved.")
        return redirect("sso:providers")
    title = f"{idp.agency.name}'s identity provider" if idp else "Register an identity provider"
    callback = None
    if idp:
        callback = request.build_absolute_uri(f"/accounts/oidc/{idp.slug}/login/callback/")
    return render(
        request, "sso/provider_edit.html", {"form": form, "title": title, "callback": callback}
    )


@role_required(*USER_ADMIN_ROLES)
def agency_sign_in(request: HttpRequest) -> HttpResponse:
    """The agency admin's page: their provider, the account-creation choice, the leavers."""
    user = signed_in_user(request)
    idp = queries.provider_of_agency(user.agency_id)
    form = AccountCreationForm(
        initial={"allow_account_creation": idp.allow_account_creation if idp else False}
    )
    context = {
        "provider": idp,
        "form": form,
        "leavers": queries.leavers_seen_by(user),
        "is_agency_admin": user.has_role(Role.AGENCY_ADMIN),
    }
    return render(request, "sso/agency_sign_in.html", context)


@role_required(Role.AGENCY_ADMIN)
@require_POST
def account_creation(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    idp = queries.provider_of_agency(user.agency_id)
    if idp is None:
        raise PermissionDenied("Your agency has no identity provider registered.")
    form = AccountCreationForm(request.POST)
    if form.is_valid():
        allowed = form.cleaned_data["allow_account_creation"]
        actions.set_account_creation(request, idp, allowed)
        messages.success(
            request,
            "A first sign-in may now create an account with no role."
            if allowed
            else "A first sign-in no longer creates an account.",
        )
    return redirect("sso:agency")
