"""Staff pages (``urlpatterns``, under /staff/) and endpoints (``api_urlpatterns``, under /api/v1/staff/)."""

from django.urls import path

from prisoners import staff_api, staff_views

urlpatterns = [
    path("prisoners/<int:pk>/", staff_views.prisoner_detail, name="prisoner_detail"),
    path("prisoners/<int:pk>/edit/", staff_views.prisoner_edit, name="prisoner_edit"),
    path("prisoners/<int:pk>/status/", staff_views.prisoner_status, name="prisoner_status"),
    path("prisoners/<int:pk>/events/new/", staff_views.prisoner_event_new, name="prisoner_event_new"),
    path("prisoners/<int:pk>/variants/", staff_views.prisoner_variant_add, name="prisoner_variant_add"),
    path(
        "prisoners/<int:pk>/variants/<int:variant_id>/remove/",
        staff_views.prisoner_variant_remove,
        name="prisoner_variant_remove",
    ),
    path("prisoners/<int:pk>/evidence/", staff_views.prisoner_evidence_add, name="prisoner_evidence_add"),
    path("prisoners/<int:pk>/merge/", staff_views.prisoner_merge_page, name="prisoner_merge"),
    path("prisoners/<int:pk>/audit/", staff_views.prisoner_audit, name="prisoner_audit"),
]

api_urlpatterns = [
    path("prisoners/<int:pk>/", staff_api.PrisonerDetailApi.as_view(), name="prisoner_detail"),
    path("prisoners/<int:pk>/status/", staff_api.PrisonerStatusApi.as_view(), name="prisoner_status"),
    path("prisoners/<int:pk>/events/", staff_api.PrisonerEventCreateApi.as_view(), name="prisoner_event_new"),
    path("prisoners/<int:pk>/variants/", staff_api.PrisonerVariantAddApi.as_view(), name="prisoner_variant_add"),
    path(
        "prisoners/<int:pk>/variants/<int:variant_id>/remove/",
        staff_api.PrisonerVariantRemoveApi.as_view(),
        name="prisoner_variant_remove",
    ),
    path("prisoners/<int:pk>/merge/", staff_api.PrisonerMergeApi.as_view(), name="prisoner_merge"),
    path("prisoners/<int:pk>/audit/", staff_api.PrisonerAuditApi.as_view(), name="prisoner_audit"),
]
