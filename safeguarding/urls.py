from django.urls import include, path

from safeguarding.core import errors

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("children/", include("safeguarding.children.urls")),
    path("imports/", include("safeguarding.children.imports.urls")),
    path("linkage/", include("safeguarding.children.review.urls")),
    path("api/", include("safeguarding.children.api_urls")),
    path("exploitation/", include("safeguarding.exploitation.urls")),
    path("missing/", include("safeguarding.missing.urls")),
    path("education/", include("safeguarding.education.urls")),
    path("young-carers/", include("safeguarding.young_carers.urls")),
    path("data/", include("safeguarding.insight.urls")),
    path("learning/", include("safeguarding.learning.urls")),
    path("training/", include("safeguarding.training.urls")),
    path("reports/", include("safeguarding.reports.urls")),
    path("sign-in/", include("safeguarding.sso.urls")),
    path("", include("safeguarding.core.urls")),
]

handler403 = errors.forbidden
handler404 = errors.not_found
handler500 = errors.server_error
