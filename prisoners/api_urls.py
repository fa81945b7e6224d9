from django.urls import path

from prisoners import api

app_name = "prisoners_api"

urlpatterns = [
    path("match/", api.MatchApi.as_view(), name="match"),
]
