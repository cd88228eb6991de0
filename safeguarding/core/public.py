"""The pages anyone may open without signing in: the one list, which docs/security.md
("Public pages") mirrors and core/tests/test_public_pages.py holds both to, by asking
every URL of the project (allauth's included) as an anonymous caller. A page answers
the anonymous if it does anything but send them to sign in.

Every other page needs a signed-in user with MFA. A new public page must be added here
and to docs/security.md, with its reason, or the test fails.
"""

from __future__ import annotations

PUBLIC_PAGES: dict[str, str] = {
    # Signing in, and getting back in: allauth's entrance pages.
    "account_login": "signing in",
    "account_reset_password": "asking for a password reset",
    "account_reset_password_done": "the reset has been asked for",
    "account_reset_password_from_key": "the emailed reset link",
    "account_reset_password_from_key_done": "the password has been reset",
    "account_signup": "says that there is no sign-up (agency admins make accounts)",
    "account_inactive": "says that the account is disabled",
    "account_email_verification_sent": "allauth's; addresses are not verified by email here",
    "account_confirm_email": "allauth's; addresses are not verified by email here",
    # Single sign-on with an agency's own identity provider (decision 0066): allauth's
    # pages that start a sign-in at the provider and take its answer back.
    "openid_connect_login": "starts a sign-in at an agency's provider",
    "openid_connect_callback": "the provider's answer to a sign-in",
    "socialaccount_login_cancelled": "a sign-in cancelled at the provider",
    "socialaccount_login_error": "a sign-in the provider's answer did not allow",
    # The published annual report, for the public.
    "reports:index": "the published reports (drafts only for the partnership's staff)",
    "reports:report": "a published report (a draft is a 404)",
    "reports:download": "a published report's PDF, Word or HTML file",
    # Training, for partners' staff, who are not hub users.
    "training:courses": "the courses and their sessions",
    "training:session": "one session",
    "training:register": "a learner registers (an email is sent)",
    "training:send_link": "a learner asks for their link (an email is sent)",
    "training:my_bookings": "a learner's own bookings, for the holder of their signed link",
    "training:book": "booking, with the signed link",
    "training:cancel": "cancelling, with the signed link",
    "training:evaluation": "an evaluation, with the signed link",
    "training:certificate": "a certificate, with the signed link, once earned",
    # The machine interfaces: their documentation is public; every call needs an agency's
    # bearer token (401 without one).
    "api:index": "the import API's documentation",
    "api:openapi": "the import API's OpenAPI document",
    "api:persons": "the import API (bearer token)",
    "api:events": "the import API (bearer token)",
    "api:batch": "the import API (bearer token)",
    "exploitation:api_flags": "the exploitation flag API (bearer token)",
    "insight:api_values": "the data set's submission API (bearer token)",
}
