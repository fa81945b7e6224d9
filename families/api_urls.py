from django.urls import path

from families import api

app_name = "api"

urlpatterns = [
    path("requests/", api.RequestListCreateApi.as_view(), name="request_list"),
    path("requests/<str:reference>/", api.RequestDetailApi.as_view(), name="request_detail"),
    path("requests/<str:reference>/answer/", api.RequestAnswerApi.as_view(), name="request_answer"),
    path("requests/<str:reference>/withdraw/", api.RequestWithdrawApi.as_view(), name="request_withdraw"),
]
