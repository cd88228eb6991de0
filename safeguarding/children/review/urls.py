"""The linkage officers' pages (children/review/views.py), at /linkage/."""

from django.urls import path

from safeguarding.children.review import views as review_views

app_name = "linkage"

urlpatterns = [
    path("", review_views.queue, name="queue"),
    path("pairs/<uuid:public_id>/", review_views.pair, name="pair"),
    path("children/<uuid:public_id>/", review_views.child, name="child"),
    path("children/<uuid:public_id>/merge/", review_views.merge, name="merge"),
    path("children/<uuid:public_id>/split/", review_views.split, name="split"),
    path("history/", review_views.history, name="history"),
    path("history/<uuid:public_id>/undo/", review_views.undo, name="undo"),
]
