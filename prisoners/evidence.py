"""Storing evidence: links, and files checked by their content and hashed."""

import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

from core.audit import audit_record
from core.concurrency import validated
from core.errors import DomainError
from prisoners.models import Evidence, EvidenceKind, Prisoner, Source

MAX_EVIDENCE_FILE_SIZE = 10 * 1024 * 1024
IMAGE_TYPES = {"JPEG": ("image/jpeg", ".jpg"), "PNG": ("image/png", ".png"), "WEBP": ("image/webp", ".webp")}
PDF_TYPE = ("application/pdf", ".pdf")


def _file_error(name: str, message) -> DomainError:
    return DomainError(
        _("“%(name)s” cannot be accepted: %(reason)s") % {"name": name, "reason": message},
        code="bad_file",
        fields={"files": [str(message)]},
    )


def evidence_file_type(upload: UploadedFile) -> tuple[str, str]:
    """The file's type as its content shows it, or a ``DomainError``.

    Images must open as images (Pillow reads and verifies them); a PDF must
    start and end as one. The name and the browser's claimed type are ignored.
    """
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        upload.seek(max(upload.size - 2048, 0))
        tail = upload.read()
        upload.seek(0)
        if b"%%EOF" not in tail:
            raise _file_error(upload.name, _("the PDF is incomplete or damaged."))
        return PDF_TYPE
    try:
        with Image.open(upload) as image:
            image_format = image.format
            image.verify()
    # A picture of more pixels than Pillow will open (a decompression bomb) is refused like any other non-photo.
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise _file_error(upload.name, _("only photos (JPEG, PNG, WebP) and PDF documents are accepted.")) from None
    finally:
        upload.seek(0)
    if image_format not in IMAGE_TYPES:
        raise _file_error(upload.name, _("only photos (JPEG, PNG, WebP) and PDF documents are accepted."))
    return IMAGE_TYPES[image_format]


def evidence_file_check(upload: UploadedFile) -> tuple[str, str]:
    if upload.size > MAX_EVIDENCE_FILE_SIZE:
        raise _file_error(upload.name, _("it is larger than 10 MB."))
    if upload.size == 0:
        raise _file_error(upload.name, _("the file is empty."))
    return evidence_file_type(upload)


@transaction.atomic
def evidence_file_store(
    *, upload: UploadedFile, actor, description: str = "", source: str = Source.FAMILY, prisoner: Prisoner | None = None
) -> Evidence:
    """Keep an uploaded file with its SHA-256, size and checked type."""
    content_type, extension = evidence_file_check(upload)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    evidence = Evidence(
        prisoner=prisoner,
        kind=EvidenceKind.FILE,
        description=description,
        source=source,
        original_name=os.path.basename(upload.name)[:255],
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    # Stored under a random name: the family's file name is kept only as data.
    evidence.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    try:
        evidence.save()
        audit_record(
            actor=actor,
            action="evidence.file_stored",
            target=evidence,
            changes={"sha256": evidence.sha256, "size": evidence.size, "type": content_type},
        )
    except BaseException:
        # No row, no file: the caller's cleanup only knows the files it was given.
        evidence.file.delete(save=False)
        raise
    return evidence


@contextmanager
def evidence_stored(
    *, actor, links: Iterable[dict], files: Iterable[UploadedFile], file_details: dict | None = None
) -> Iterator[list[Evidence]]:
    """Store links and files in a transaction that the caller's write joins.

    ``links`` are keyword arguments for ``evidence_link_create``;
    ``file_details`` (a description, a source) apply to every file. Yields the
    stored evidence. When the transaction rolls back, on an error or by the
    caller's ``transaction.set_rollback(True)``, the database forgets the rows
    but the disk would keep the files: they are deleted, so a refused action
    leaves nothing behind.
    """
    evidence = []
    kept = False
    try:
        with transaction.atomic():
            evidence.extend(evidence_link_create(actor=actor, **link) for link in links)
            for upload in files:
                evidence.append(evidence_file_store(upload=upload, actor=actor, **(file_details or {})))
            yield evidence
            rolled_back = transaction.get_rollback()
        kept = not rolled_back
    finally:
        if not kept:
            evidence_files_discard(evidence)


def evidence_files_discard(evidence) -> None:
    """Delete the stored files of evidence whose transaction rolled back.

    The database forgets the rows; the files on disk would stay, orphaned.
    """
    for item in evidence:
        if item.kind == EvidenceKind.FILE and item.file:
            item.file.delete(save=False)


@transaction.atomic
def evidence_link_create(
    *,
    url: str,
    actor,
    description: str = "",
    identified_by: str = "",
    identified_on=None,
    source: str = Source.FAMILY,
    prisoner: Prisoner | None = None,
) -> Evidence:
    if not url.strip():
        # The model allows a blank URL (files have none); a link needs one.
        message = _("Give the address of the link.")
        raise DomainError(message, code="link_required", fields={"url": [str(message)]})
    evidence = validated(
        Evidence(
            prisoner=prisoner,
            kind=EvidenceKind.LINK,
            url=url,
            description=description,
            identified_by=identified_by,
            identified_on=identified_on,
            source=source,
            uploaded_by=actor,
        )
    )
    evidence.save()
    audit_record(actor=actor, action="evidence.link_added", target=evidence)
    return evidence
