import os

from django.db import transaction
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from core.audit import audit_record
from core.roles import Capability, user_can
from core.security import second_factor_passed
from core.staff import second_factor_setup
from prisoners.models import Evidence, EvidenceKind


@require_GET
def evidence_file(request, evidence_id: int):
    """An uploaded evidence file, for staff only, as a download.

    Anyone else gets 404, as for a file that does not exist. Every download is
    in the audit trail.
    """
    if not (user_can(request.user, Capability.VIEW_PRISONERS) or user_can(request.user, Capability.REVIEW_REQUESTS)):
        raise Http404
    if not second_factor_passed(request):
        return second_factor_setup(request)
    evidence = Evidence.objects.filter(pk=evidence_id, kind=EvidenceKind.FILE).first()
    if evidence is None:
        raise Http404
    with transaction.atomic():
        audit_record(actor=request.user, action="evidence.downloaded", target=evidence)
    # The family's file name, with the extension its content really has: a
    # photo uploaded as "x.html" downloads as "x.png".
    stem = os.path.splitext(evidence.original_name)[0] or f"evidence-{evidence.pk}"
    extension = os.path.splitext(evidence.file.name)[1]
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=f"{stem}{extension}",
        content_type=evidence.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response
