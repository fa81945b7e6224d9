from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    path("accounts/sign-ins/", core_views.sign_in_history, name="sign_in_history"),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("families.urls")),
    path("", include("prisoners.urls")),
    path("", include("notifications.urls")),
    path("staff/", include("core.staff_urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("families.api_urls")),
    path("api/v1/prisoners/", include("prisoners.api_urls")),
    path("api/v1/staff/", include("core.staff_api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script for the CSP to allow.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "core.views.not_found"

if settings.BENCHMARK_VIEWS:
    urlpatterns.append(path("bench/bare", core_views.bench_bare, name="bench_bare"))
