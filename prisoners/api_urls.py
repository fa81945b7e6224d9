from django.urls import path

from prisoners import api

app_name = "prisoners_api"

urlpatterns = [
    path("match/", api.MatchApi.as_view(), name="match"),
    path("matches/", api.StoredMatchListApi.as_view(), name="matches"),
    path("matches/<int:pk>/decision/", api.MatchDecisionApi.as_view(), name="match_decision"),
]
