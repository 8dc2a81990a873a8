"""A freeze's legal notice: stored under a name nobody can guess, read only through the view
that checks the viewer (and audits it), never from /media/."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEntry

from .pages_support import PDF, issue, login, make_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_legal_notice_is_stored_unguessably_and_served_only_to_the_two_sides(w, client):
    case = make_case(w)
    req = issue(w, case, kind="freeze", legal_notice_number="W公(刑)冻字[2025]007号", term_months=6,
                legal_notice_file=SimpleUploadedFile("张三-身份证-340402195001011234.pdf", PDF,
                                                     content_type="application/pdf"))
    name = req.legal_notice_file.name
    assert name.startswith("legal_notices/") and "张三" not in name and "3404021950" not in name
    assert len(name.rsplit("/", 1)[1]) == len("0" * 32 + ".pdf")
    login(client, w, "bank_a")
    response = client.get(reverse("alerts:legal_notice", args=[req.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf" and "private" in response["Cache-Control"]
    assert AuditEntry.objects.filter(actor_username="bank_a", object_id=str(req.pk), action="export").exists()
    # Nothing serves the stored file by its path, even to a user who may see the notice.
    assert client.get("/media/" + name).status_code == 404
    login(client, w, "bank_b")
    assert client.get(reverse("alerts:legal_notice", args=[req.pk])).status_code == 404
