from django.urls import path

from prisoners import views

app_name = "prisoners"

urlpatterns = [
    path("staff/evidence/<int:evidence_id>/file/", views.evidence_file, name="evidence_file"),
]
