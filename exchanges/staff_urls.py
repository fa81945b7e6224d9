"""Exchange pages (``urlpatterns``, under /staff/) and endpoints (``api_urlpatterns``, under /api/v1/staff/)."""

from django.urls import path

from exchanges import overview, staff_api, staff_views

urlpatterns = [
    path("exchanges/", staff_views.exchange_list, name="exchange_list"),
    path("exchanges/new/", staff_views.exchange_new, name="exchange_new"),
    path("exchanges/overview/", overview.exchange_overview, name="exchange_overview"),
    path("exchanges/<int:pk>/", staff_views.exchange_detail, name="exchange_detail"),
    path("exchanges/<int:pk>/status/", staff_views.exchange_status, name="exchange_status"),
    path("exchanges/<int:pk>/assemble/", staff_views.exchange_assemble_view, name="exchange_assemble"),
    path("exchanges/<int:pk>/entries/", staff_views.exchange_entry_add_view, name="exchange_entry_add"),
    path("exchanges/<int:pk>/weights/", staff_views.exchange_rerank_view, name="exchange_rerank"),
    path("exchanges/<int:pk>/release/", staff_views.exchange_release, name="exchange_release"),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/move/",
        staff_views.exchange_entry_move_view,
        name="exchange_entry_move",
    ),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/pin/", staff_views.exchange_entry_pin_view, name="exchange_entry_pin"
    ),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/remove/",
        staff_views.exchange_entry_remove_view,
        name="exchange_entry_remove",
    ),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/outcome/",
        staff_views.exchange_entry_outcome_view,
        name="exchange_entry_outcome",
    ),
    path("exchanges/<int:pk>/their-lists/", staff_views.exchange_upload, name="exchange_upload"),
    path("exchanges/<int:pk>/their-lists/<int:list_id>/", staff_views.exchange_reconcile, name="exchange_reconcile"),
    path("exchanges/<int:pk>/their-rows/<int:row_id>/", staff_views.exchange_row_decide, name="exchange_row_decide"),
    path("exchanges/<int:pk>/export.<str:fmt>", staff_views.exchange_export, name="exchange_export"),
]

api_urlpatterns = [
    path("exchanges/", staff_api.ExchangeListApi.as_view(), name="exchange_list"),
    path("exchanges/<int:pk>/", staff_api.ExchangeDetailApi.as_view(), name="exchange_detail"),
    path("exchanges/<int:pk>/status/", staff_api.ExchangeStatusApi.as_view(), name="exchange_status"),
    path("exchanges/<int:pk>/pool/", staff_api.ExchangePoolApi.as_view(), name="exchange_pool"),
    path("exchanges/<int:pk>/assemble/", staff_api.ExchangeAssembleApi.as_view(), name="exchange_assemble"),
    path("exchanges/<int:pk>/entries/", staff_api.ExchangeEntryAddApi.as_view(), name="exchange_entry_add"),
    path("exchanges/<int:pk>/weights/", staff_api.ExchangeRerankApi.as_view(), name="exchange_rerank"),
    path("exchanges/<int:pk>/release/", staff_api.ExchangeReleaseApi.as_view(), name="exchange_release"),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/", staff_api.ExchangeEntryChangeApi.as_view(), name="exchange_entry"
    ),
    path(
        "exchanges/<int:pk>/entries/<int:entry_id>/outcome/",
        staff_api.ExchangeEntryOutcomeApi.as_view(),
        name="exchange_entry_outcome",
    ),
    path("exchanges/<int:pk>/their-lists/", staff_api.CounterpartyListUploadApi.as_view(), name="exchange_upload"),
    path(
        "exchanges/<int:pk>/their-lists/<int:list_id>/",
        staff_api.CounterpartyListApi.as_view(),
        name="exchange_reconcile",
    ),
    path(
        "exchanges/<int:pk>/their-rows/<int:row_id>/",
        staff_api.CounterpartyRowDecideApi.as_view(),
        name="exchange_row_decide",
    ),
    path("exchanges/<int:pk>/export/<str:fmt>/", staff_api.ExchangeExportApi.as_view(), name="exchange_export"),
]
