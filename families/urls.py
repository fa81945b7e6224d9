from django.urls import path

from families.views import account, cases, filing, lookup

app_name = "families"

urlpatterns = [
    path("my/requests/", cases.request_list, name="request_list"),
    path("my/requests/new/", filing.request_new, name="request_new"),
    path("my/requests/<str:reference>/", cases.request_detail, name="request_detail"),
    path("my/requests/<str:reference>/filed/", filing.request_filed, name="request_filed"),
    path("my/requests/<str:reference>/answer/", cases.request_answer, name="request_answer"),
    path("my/requests/<str:reference>/withdraw/", cases.request_withdraw, name="request_withdraw"),
    path("my/profile/", account.profile, name="profile"),
    path("my/profile/data.json", account.profile_data, name="profile_data"),
    path("my/profile/delete/", account.profile_delete, name="profile_delete"),
    path("language/", account.set_language, name="set_language"),
    path("track/", lookup.lookup, name="lookup"),
    path("track/<str:reference>/", lookup.lookup_status, name="lookup_status"),
]
