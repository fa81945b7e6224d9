"""Evidence files: checked by content, hashed, stored out of public reach, downloaded by staff only."""

import hashlib
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse
from PIL import Image

from core.errors import DomainError
from core.models import AuditEvent
from families.services import registration_request_file
from prisoners.evidence import (
    MAX_EVIDENCE_FILE_SIZE,
    evidence_file_store,
    evidence_files_discard,
    evidence_link_create,
)
from prisoners.models import Evidence, EvidenceKind
from tests.factories import request_data

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _evidence_root(evidence_root):
    return evidence_root


def _image_bytes(image_format: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "olive").save(buffer, format=image_format)
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


def _stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type", "extension"),
    [
        ("photo.jpg", _image_bytes("JPEG"), "image/jpeg", ".jpg"),
        ("photo.png", _image_bytes("PNG"), "image/png", ".png"),
        ("photo.webp", _image_bytes("WEBP"), "image/webp", ".webp"),
        ("letter.pdf", PDF, "application/pdf", ".pdf"),
    ],
)
def test_it_stores_a_file_with_its_hash_size_and_type(olena, evidence_root, name, content, content_type, extension):
    evidence = evidence_file_store(upload=_upload(name, content), actor=olena.user)

    evidence.refresh_from_db()
    assert evidence.kind == EvidenceKind.FILE
    assert evidence.sha256 == hashlib.sha256(content).hexdigest()
    assert evidence.size == len(content)
    assert evidence.content_type == content_type
    assert evidence.original_name == name
    assert evidence.uploaded_by == olena.user
    [path] = _stored_files(evidence_root)
    assert path.read_bytes() == content
    assert re.fullmatch(rf"[0-9a-f]{{32}}{re.escape(extension)}", path.name)
    assert AuditEvent.objects.filter(action="evidence.file_stored", target_id=str(evidence.pk)).exists()


def test_it_gives_every_file_a_random_name(olena, evidence_root):
    for _ in range(2):
        evidence_file_store(upload=_upload("same.pdf", PDF), actor=olena.user)

    names = {path.name for path in _stored_files(evidence_root)}
    assert len(names) == 2
    assert not any("same" in name for name in names)


def test_it_believes_the_content_not_the_name(olena, evidence_root):
    evidence = evidence_file_store(upload=_upload("scan.pdf", _image_bytes("PNG"), "application/pdf"), actor=olena.user)

    assert evidence.content_type == "image/png"
    assert evidence.original_name == "scan.pdf"
    assert _stored_files(evidence_root)[0].suffix == ".png"


def test_it_takes_a_file_of_exactly_10_mb(olena):
    content = PDF[:-6] + b"\0" * (MAX_EVIDENCE_FILE_SIZE - len(PDF)) + PDF[-6:]

    assert evidence_file_store(upload=_upload("big.pdf", content), actor=olena.user).size == MAX_EVIDENCE_FILE_SIZE


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("big.pdf", PDF[:-6] + b"\0" * (MAX_EVIDENCE_FILE_SIZE + 1 - len(PDF)) + PDF[-6:], "it is larger than 10 MB."),
        ("empty.jpg", b"", "the file is empty."),
        ("photo.jpg", b"<!doctype html><script>alert(1)</script>", "only photos (JPEG, PNG, WebP) and PDF documents"),
        ("notes.pdf", b"Dear caseworker, this is plain text.", "only photos (JPEG, PNG, WebP) and PDF documents"),
        ("cut.pdf", PDF[: len(PDF) // 2], "the PDF is incomplete or damaged."),
        ("cut.png", _image_bytes("PNG")[:40], "only photos (JPEG, PNG, WebP) and PDF documents"),
        ("animation.gif", _image_bytes("GIF"), "only photos (JPEG, PNG, WebP) and PDF documents"),
    ],
)
def test_it_refuses_an_oversized_empty_or_disguised_file(olena, evidence_root, name, content, reason):
    with pytest.raises(DomainError) as refused:
        evidence_file_store(upload=_upload(name, content, "image/jpeg"), actor=olena.user)

    assert refused.value.code == "bad_file"
    assert str(refused.value.message).startswith(f"“{name}” cannot be accepted: ")
    assert reason in str(refused.value.message)
    assert reason in refused.value.fields["files"][0]
    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)


def test_it_leaves_no_file_when_the_row_cannot_be_written(olena, evidence_root, monkeypatch):
    def broken_audit(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr("prisoners.evidence.audit_record", broken_audit)

    with pytest.raises(RuntimeError):
        evidence_file_store(upload=_upload("letter.pdf", PDF), actor=olena.user)

    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)


def test_it_discards_the_files_of_a_rolled_back_transaction(olena, evidence_root):
    with transaction.atomic():
        stored = [evidence_file_store(upload=_upload("letter.pdf", PDF), actor=olena.user)]
        stored.append(evidence_link_create(url="https://video.example/1", actor=olena.user))
        transaction.set_rollback(True)
    evidence_files_discard(stored)

    assert not Evidence.objects.exists()
    assert not _stored_files(evidence_root)


def test_it_stores_a_link_with_who_identified_him(olena):
    evidence = evidence_link_create(
        url="https://video.example/watch?v=1", identified_by="his brother", actor=olena.user
    )

    evidence.refresh_from_db()
    assert (evidence.kind, evidence.url, evidence.identified_by) == (
        EvidenceKind.LINK,
        "https://video.example/watch?v=1",
        "his brother",
    )
    assert evidence.sha256 == ""


@pytest.mark.parametrize("url", ["javascript:alert(1)", "not a link", ""])
def test_it_refuses_a_link_that_is_not_one(olena, url):
    with pytest.raises(DomainError):
        evidence_link_create(url=url, actor=olena.user)

    assert not Evidence.objects.exists()


# The staff download: prisoners:evidence_file


@pytest.fixture
def photo(olena):
    """A photo Olena sent with her request."""
    content = _image_bytes("PNG")
    evidence = evidence_file_store(upload=_upload("brother.jpg", content), actor=olena.user)
    registration_request_file(filed_by=olena, actor=olena.user, data=request_data(), consent=True, evidence=[evidence])
    return evidence


def _download_url(evidence) -> str:
    return reverse("prisoners:evidence_file", args=[evidence.pk])


def test_it_lets_a_caseworker_download_the_exact_file(client, carol, photo):
    client.force_login(carol)

    response = client.get(_download_url(photo))

    assert response.status_code == 200
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == photo.sha256
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    # The name the family gave, with the extension the content really has.
    assert response["Content-Disposition"] == 'attachment; filename="brother.png"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_records_every_download_in_the_audit_trail(client, carol, photo):
    client.force_login(carol)

    client.get(_download_url(photo))
    client.get(_download_url(photo))

    downloads = AuditEvent.objects.filter(action="evidence.downloaded", target_id=str(photo.pk))
    assert [event.actor_label for event in downloads] == [f"user:{carol.pk}"] * 2


@pytest.mark.parametrize("persona", ["olena", "ivan", "oscar"])
def test_it_hides_the_file_from_families_and_outsiders(client, request, photo, persona):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))

    response = client.get(_download_url(photo))

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="evidence.downloaded").exists()


def test_it_hides_the_file_from_anonymous_visitors(client, photo):
    assert client.get(_download_url(photo)).status_code == 404


def test_it_answers_a_link_or_a_missing_id_as_not_found(client, carol, olena, photo):
    link = evidence_link_create(url="https://video.example/1", actor=olena.user)
    client.force_login(carol)

    assert client.get(_download_url(link)).status_code == 404
    assert client.get(reverse("prisoners:evidence_file", args=[photo.pk + 1000])).status_code == 404


def test_it_serves_downloads_only_by_get(client, carol, photo):
    client.force_login(carol)

    assert client.post(_download_url(photo)).status_code == 405
