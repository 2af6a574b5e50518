"""Media through the API as a phone would send it: resumable chunks, checked by content,
limits at their exact values, thumbnails, downloads named in RFC 5987, scoped and audited."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from urllib.parse import unquote

import pytest
from PIL import Image
from sqlalchemy import select

from tests.media.conftest import jpeg, mp4, png, wav
from yingji.audit.models import AuditEntry
from yingji.core.db import utcnow
from yingji.media import service as media_service
from yingji.media.config import get_media_settings
from yingji.media.models import MediaUpload
from yingji.scheduling import timers


def test_a_jpeg_in_chunks_is_stored_with_its_size_and_a_thumbnail(client, upload, token_for):
    data = jpeg(800, 600)
    r = upload(data, "隐患照片 1.jpg", chunk=4096)
    assert r.status_code == 201, r.text
    m = r.json()
    assert (m["kind"], m["mime"], m["width"], m["height"]) == ("image", "image/jpeg", 800, 600)
    assert m["sha256"] == hashlib.sha256(data).hexdigest() and m["size_bytes"] == len(data)
    h = token_for("grid_worker", "370103001")
    got = client.get(m["content_url"], headers=h)
    assert got.status_code == 200, got.text
    assert got.content == data
    assert got.headers["content-type"] == "image/jpeg"
    cd = got.headers["content-disposition"]
    assert cd.startswith("attachment; filename=")
    assert unquote(cd.split("filename*=UTF-8''")[1]) == "隐患照片 1.jpg"
    thumb = client.get(m["thumbnail_url"], headers=h)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumb.content)) as t:
        assert t.format == "JPEG" and max(t.size) == get_media_settings().thumbnail_px
        assert t.size == (320, 240)  # the aspect kept


def test_the_name_does_not_decide_the_type(upload):
    """A PNG named .jpg is a PNG; text named .png is refused, and not kept."""
    r = upload(png(), "photo.jpg")
    assert r.status_code == 201 and r.json()["mime"] == "image/png"
    fake = "这其实是一段文字，不是图片。<script>alert(1)</script>\n".encode() * 20
    r = upload(fake, "photo.png")
    assert r.status_code == 415, r.text
    body = r.json()
    assert body["code"] == "media_type_refused" and body["field"] == "file"
    assert body["message"] and body["message_en"]


def test_a_forged_image_header_is_refused(upload):
    """PNG's magic bytes and nothing a decoder can read: sniffed as PNG, refused by Pillow."""
    forged = png()[:40] + b"\x00" * 500
    r = upload(forged, "forged.png")
    assert r.status_code == 422 and r.json()["code"] == "image_unreadable"


def test_audio_duration_is_read_from_the_container(upload, monkeypatch):
    limit = get_media_settings().max_audio_s
    r = upload(wav(3.0), "录音.wav")
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["duration_s"]) == ("audio", 3.0)
    monkeypatch.setattr(get_media_settings(), "max_audio_s", 3.0)
    assert upload(wav(3.0), "at-limit.wav").status_code == 201  # exactly the limit: kept
    over = upload(wav(3.01), "over.wav")
    assert over.status_code == 422 and over.json()["code"] == "media_too_long"
    assert limit == 600.0


def test_video_duration_from_an_mp4(upload, monkeypatch):
    monkeypatch.setattr(get_media_settings(), "max_video_s", 10.0)
    r = upload(mp4(7.5), "clip.mp4")
    assert r.status_code == 201, r.text
    assert (r.json()["kind"], r.json()["mime"], r.json()["duration_s"]) == (
        "video",
        "video/mp4",
        7.5,
    )
    r = upload(mp4(10.5), "long.mp4")
    assert r.status_code == 422 and r.json()["code"] == "media_too_long"


def test_size_limit_per_kind_at_the_exact_byte(upload, monkeypatch):
    data = png(120, 90)
    monkeypatch.setattr(get_media_settings(), "max_image_bytes", len(data))
    assert upload(data, "exact.png").status_code == 201
    monkeypatch.setattr(get_media_settings(), "max_image_bytes", len(data) - 1)
    r = upload(data, "over.png")
    assert r.status_code == 413 and r.json()["code"] == "media_too_large"


def test_resume_after_a_lost_answer(client, token_for):
    """A chunk sent again at an old offset is a 409 naming where to continue; the status says
    the same; the upload then completes."""
    h = token_for("grid_worker", "370103001")
    data = jpeg(300, 200)
    r = client.post("/api/v1/media/uploads", headers=h, json={
        "filename": "a.jpg", "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
    })  # fmt: skip
    up = r.json()
    url = f"/api/v1/media/uploads/{up['id']}"
    octet = {**h, "Content-Type": "application/octet-stream"}
    half = len(data) // 2
    assert client.put(f"{url}/chunk", params={"offset": 0}, content=data[:half],
                      headers=octet).status_code == 200  # fmt: skip
    again = client.put(f"{url}/chunk", params={"offset": 0}, content=data[:half], headers=octet)
    assert again.status_code == 409 and again.json()["code"] == "offset_mismatch"
    assert again.headers["upload-offset"] == str(half)
    assert client.get(url, headers=h).json()["offset"] == half
    early = client.post(f"{url}/complete", headers=h)
    assert early.status_code == 409 and early.json()["code"] == "upload_incomplete"
    past = client.put(f"{url}/chunk", params={"offset": half}, content=data[half:] + b"x",
                      headers=octet)  # fmt: skip
    assert past.status_code == 422 and past.json()["code"] == "chunk_past_end"
    assert client.put(f"{url}/chunk", params={"offset": half}, content=data[half:],
                      headers=octet).status_code == 200  # fmt: skip
    done = client.post(f"{url}/complete", headers=h)
    assert done.status_code == 201, done.text
    assert client.get(url, headers=h).json()["status"] == "complete"
    assert client.post(f"{url}/complete", headers=h).status_code == 409  # once


def test_a_checksum_mismatch_is_refused(upload):
    data = png()
    r = upload(data, "x.png", sha256=hashlib.sha256(data + b"!").hexdigest())
    assert r.status_code == 422 and r.json()["code"] == "checksum_mismatch"


def test_declared_size_beyond_every_limit_is_refused_at_once(client, token_for):
    h = token_for("grid_worker", "370103001")
    r = client.post("/api/v1/media/uploads", headers=h, json={
        "filename": "huge.mp4", "size_bytes": 10 * 1024**3, "sha256": "0" * 64})  # fmt: skip
    assert r.status_code == 413 and r.json()["field"] == "size_bytes"
    bad = client.post("/api/v1/media/uploads", headers=h, json={
        "filename": "a\x07b.png", "size_bytes": 10, "sha256": "0" * 64})  # fmt: skip
    assert bad.status_code == 422


def test_scoped_to_the_senders_subdistrict_and_to_the_sender(client, upload, token_for):
    m = upload(png(), "mine.png").json()
    other = token_for("grid_worker", "370103003")
    assert client.get(f"/api/v1/media/{m['id']}", headers=other).status_code == 403
    assert client.get(m["content_url"], headers=other).status_code == 403
    assert (
        client.get(f"/api/v1/media/{m['id']}", headers=token_for("duty_officer")).status_code == 200
    )
    # someone else's upload session is as if it did not exist
    h = token_for("grid_worker", "370103001")
    r = client.post("/api/v1/media/uploads", headers=h, json={
        "filename": "s.png", "size_bytes": 5, "sha256": "0" * 64})  # fmt: skip
    assert client.get(f"/api/v1/media/uploads/{r.json()['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/media/{m['id']}").status_code == 401
    assert client.get("/api/v1/media/99999999999", headers=h).status_code == 404
    assert client.get(f"/api/v1/media/{2**64}", headers=h).status_code == 422


def test_uploads_are_audited(upload, demo):
    m = upload(png(), "audited.png").json()
    with demo.session() as s:
        stmt = select(AuditEntry).where(
            AuditEntry.object_type == "media", AuditEntry.object_id == str(m["id"])
        )
        rows = list(s.scalars(stmt))
    assert [r.action for r in rows] == ["media:create"]
    assert rows[0].after["sha256"] == m["sha256"]


def test_an_abandoned_upload_expires_on_the_scheduler(client, token_for, demo, app):
    h = token_for("grid_worker", "370103001")
    data = png()
    r = client.post("/api/v1/media/uploads", headers=h, json={
        "filename": "left.png", "size_bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(),
    })  # fmt: skip
    up = r.json()
    octet = {**h, "Content-Type": "application/octet-stream"}
    url = f"/api/v1/media/uploads/{up['id']}/chunk"
    assert client.put(url, params={"offset": 0}, content=data[:10], headers=octet).is_success
    staged = app.state.media_store.staged(up["id"])
    assert staged.exists()
    timers.run_due(
        demo, worker="t", now=utcnow() + timedelta(seconds=get_media_settings().upload_ttl_s + 1)
    )
    with demo.session() as s:
        assert s.get(MediaUpload, up["id"]).status == "expired"
    assert not staged.exists()
    assert media_service.EXPIRE == "media_upload_expire"


@pytest.mark.parametrize("size", [0, -1])
def test_nonsense_sizes_are_422(client, token_for, size):
    r = client.post("/api/v1/media/uploads", headers=token_for("admin"), json={
        "filename": "a.png", "size_bytes": size, "sha256": "0" * 64})  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "size_bytes"
