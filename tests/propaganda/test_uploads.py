"""Outreach photos: random stored names, served only to those who may see the outreach."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, format="PNG")
    return out.getvalue()


def test_an_outreach_photo_is_served_to_whom_may_see_the_outreach_only(pw, client, api):
    outreach = pw.outreach(by="grid_a", photos=[SimpleUploadedFile("王五家门口.png", _png(), content_type="image/png")])
    photo = outreach.photos.get()
    assert "王五" not in photo.image.name and photo.image.name.startswith("outreach/")
    url = "/api/v1/outreach/%d/photos/%d/" % (outreach.pk, photo.pk)

    own = api(pw.users["grid_a"])
    listed = own.get("/api/v1/outreach/%d/" % outreach.pk).data["photo_urls"]
    assert listed == ["http://testserver" + url]
    response = own.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert response["X-Content-Type-Options"] == "nosniff" and "private" in response["Cache-Control"]

    # The page shows it through the same view, with the session cookie.
    client.force_login(pw.users["grid_a"])
    html = client.get("/publicity/outreach/%d/" % outreach.pk).content.decode()
    assert 'src="%s"' % url in html and "/media/" not in html
    assert client.get(url).status_code == 200

    # Another community's grid worker, a bank and anonymous callers get nothing.
    assert api(pw.users["grid_b"]).get(url).status_code == 404
    assert api(pw.users["bank_a"]).get(url).status_code in (403, 404)
    assert APIClient().get(url).status_code in (401, 403)
    assert client.get("/media/" + photo.image.name).status_code == 404


def test_a_photo_of_another_outreach_is_not_served_under_a_visible_one(pw, api):
    mine = pw.outreach(by="grid_a")
    theirs = pw.outreach(by="grid_b", photos=[SimpleUploadedFile("x.png", _png(), content_type="image/png")])
    photo = theirs.photos.get()
    assert api(pw.users["grid_a"]).get("/api/v1/outreach/%d/photos/%d/" % (mine.pk, photo.pk)).status_code == 404
