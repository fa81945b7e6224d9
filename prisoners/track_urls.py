"""Staff pages (``urlpatterns``, under /staff/) and endpoints (``api_urlpatterns``, under /api/v1/staff/).

The workspace's home, the record search, and the official-registration track.
"""

from django.urls import path

from core import staff_views
from prisoners import track_api, track_views

urlpatterns = [
    path("", staff_views.staff_home, name="home"),
    path("prisoners/", track_views.prisoner_search_page, name="prisoner_search"),
    path("prisoners/<int:pk>/submissions/new/", track_views.submission_new, name="submission_new"),
    path("prisoners/<int:pk>/submission.pdf", track_views.submission_pdf, name="submission_pdf"),
    path("submissions/<int:pk>/acknowledge/", track_views.submission_acknowledge, name="submission_acknowledge"),
    path("submissions/<int:pk>/confirm/", track_views.submission_confirm, name="submission_confirm"),
    path("registration/overdue/", track_views.submissions_overdue_page, name="submissions_overdue"),
]

api_urlpatterns = [
    path("prisoners/search/", track_api.PrisonerSearchApi.as_view(), name="prisoner_search"),
    path("prisoners/<int:pk>/submissions/", track_api.SubmissionCreateApi.as_view(), name="submission_create"),
    path(
        "submissions/<int:pk>/acknowledge/",
        track_api.SubmissionAcknowledgeApi.as_view(),
        name="submission_acknowledge",
    ),
    path("submissions/<int:pk>/confirm/", track_api.SubmissionConfirmApi.as_view(), name="submission_confirm"),
    path("submissions/overdue/", track_api.SubmissionsOverdueApi.as_view(), name="submissions_overdue"),
]
