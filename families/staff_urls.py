"""Staff pages (``urlpatterns``, under /staff/) and endpoints (``api_urlpatterns``, under /api/v1/staff/)."""

from django.urls import path

from families import staff_api, staff_views

urlpatterns = [
    path("requests/", staff_views.request_queue, name="request_queue"),
    path("requests/<str:reference>/", staff_views.request_review, name="request_review"),
    path("requests/<str:reference>/assign/", staff_views.request_assign, name="request_assign"),
    path("requests/<str:reference>/start-review/", staff_views.request_start_review, name="request_start_review"),
    path("requests/<str:reference>/link/", staff_views.request_link, name="request_link"),
    path(
        "requests/<str:reference>/create-prisoner/",
        staff_views.request_create_prisoner,
        name="request_create_prisoner",
    ),
    path("requests/<str:reference>/ask/", staff_views.request_ask, name="request_ask"),
    path("requests/<str:reference>/reject/", staff_views.request_reject, name="request_reject"),
    path("requests/<str:reference>/duplicate/", staff_views.request_duplicate, name="request_duplicate"),
    path("relationships/<int:pk>/verify/", staff_views.relationship_verify_view, name="relationship_verify"),
]

api_urlpatterns = [
    path("requests/", staff_api.RequestListApi.as_view(), name="request_list"),
    path("requests/<str:reference>/", staff_api.RequestDetailApi.as_view(), name="request_detail"),
    path("requests/<str:reference>/assign/", staff_api.RequestAssignApi.as_view(), name="request_assign"),
    path(
        "requests/<str:reference>/start-review/",
        staff_api.RequestStartReviewApi.as_view(),
        name="request_start_review",
    ),
    path("requests/<str:reference>/link/", staff_api.RequestLinkApi.as_view(), name="request_link"),
    path(
        "requests/<str:reference>/create-prisoner/",
        staff_api.RequestCreatePrisonerApi.as_view(),
        name="request_create_prisoner",
    ),
    path("requests/<str:reference>/ask/", staff_api.RequestAskApi.as_view(), name="request_ask"),
    path("requests/<str:reference>/reject/", staff_api.RequestRejectApi.as_view(), name="request_reject"),
    path("requests/<str:reference>/duplicate/", staff_api.RequestDuplicateApi.as_view(), name="request_duplicate"),
    path("relationships/<int:pk>/verify/", staff_api.RelationshipVerifyApi.as_view(), name="relationship_verify"),
]
