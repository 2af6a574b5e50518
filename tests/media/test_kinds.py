"""The media rules at their exact limits, and text never passing for media (any text)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from yingji.media import kinds, probe
from yingji.media.kinds import Limits, MediaKind, Refusal

LIMITS = Limits(
    max_bytes={
        MediaKind.image: 1000,
        MediaKind.audio: 2000,
        MediaKind.video: 3000,
        MediaKind.document: 4000,
    },
    max_duration_s={MediaKind.audio: 60.0, MediaKind.video: 30.0},
    max_image_pixels=100,
)


def test_size_at_the_limit_is_kept_one_byte_over_is_not():
    assert kinds.check_size(MediaKind.image, 1000, LIMITS) is None
    r = kinds.check_size(MediaKind.image, 1001, LIMITS)
    assert r is not None and (r.status, r.code) == (413, "media_too_large")
    assert kinds.check_size(MediaKind.video, 3000, LIMITS) is None


def test_duration_at_the_limit_is_kept():
    assert kinds.check_duration(MediaKind.video, 30.0, LIMITS) is None
    assert kinds.check_duration(MediaKind.video, 30.001, LIMITS).code == "media_too_long"
    assert kinds.check_duration(MediaKind.audio, None, LIMITS).code == "media_unreadable"
    assert kinds.check_duration(MediaKind.image, None, LIMITS) is None  # no duration needed


def test_pixels_at_the_limit():
    assert kinds.check_pixels(10, 10, LIMITS) is None
    assert kinds.check_pixels(101, 1, LIMITS).code == "image_too_large"


def test_only_listed_types_are_kinds():
    assert kinds.kind_of("image/png") == (MediaKind.image, "png")
    assert kinds.kind_of("image/svg+xml") is None and kinds.kind_of(None) is None
    assert kinds.kind_of("image/heic") is None


@given(size=st.integers(0, 10_000))
def test_size_rule_refuses_exactly_above_the_limit(size):
    assert (kinds.check_size(MediaKind.audio, size, LIMITS) is None) == (size <= 2000)


def _pipeline(path: Path) -> Refusal | None:
    """What ``complete`` checks, as far as the content goes."""
    mime = probe.sniff(path)
    accepted = kinds.kind_of(mime)
    if accepted is None:
        return kinds.refuse_type(mime)
    kind, _ = accepted
    found = probe.probe(path, mime or "", kind, LIMITS)
    if isinstance(found, Refusal):
        return found
    return kinds.check_duration(kind, found.duration_s, LIMITS)


@given(text=st.text(min_size=1, max_size=400).filter(lambda t: not t.startswith("%PDF")))
def test_no_text_passes_for_an_image_or_a_recording(text):
    """Whatever a text says — even one starting with ``ID3`` or ``RIFF`` — it is refused."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "photo.png"
        path.write_bytes(text.encode("utf-8"))
        assert _pipeline(path) is not None


def test_text_behind_magic_bytes_is_refused(tmp_path):
    for head in (b"ID3", b"RIFF\x00\x00\x00\x00WAVE", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"):
        path = tmp_path / "x.bin"
        path.write_bytes(head + b"just some words, no media at all" * 10)
        assert _pipeline(path) is not None, head


def test_a_recorders_webm_is_audio_or_video_by_its_tracks_with_its_duration(tmp_path):
    from tests.media.conftest import webm
    from yingji.media import probe

    sound, clip = tmp_path / "a.webm", tmp_path / "v.webm"
    sound.write_bytes(webm(2.5))
    clip.write_bytes(webm(4.0, video=True))
    assert probe.sniff(sound) == "audio/webm" and probe.sniff(clip) == "video/webm"
    assert probe.webm(sound).duration_s == 2.5 and probe.webm(clip).duration_s == 4.0
    broken = tmp_path / "b.webm"
    broken.write_bytes(webm(1.0)[:20] + bytes(range(256)))  # a WebM header, then garbage
    assert probe.sniff(broken) is None


def test_an_mp4_with_only_a_sound_track_is_audio(tmp_path):
    """MediaRecorder's audio/mp4 (Chromium, Safari): the ftyp says MP4, the hdlr says sound."""

    from tests.media.conftest import _box, mp4
    from yingji.media import probe

    def with_track(handler: bytes) -> bytes:
        hdlr = _box(b"hdlr", bytes(8) + handler + bytes(12) + b"track\x00")
        return mp4(2.0) + _box(b"moov", _box(b"trak", _box(b"mdia", hdlr)))

    sound, clip = tmp_path / "a.mp4", tmp_path / "v.mp4"
    sound.write_bytes(with_track(b"soun"))
    clip.write_bytes(with_track(b"vide"))
    assert probe.mp4_handlers(sound) == {"soun"} and probe.sniff(sound) == "audio/mp4"
    assert probe.sniff(clip) == "video/mp4"
