"""Media API under ``/api/v1/media``: resumable uploads, metadata, downloads, thumbnails."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from yingji.auth.permissions import allow
from yingji.auth.principal import Principal
from yingji.auth.roles import Role
from yingji.core.db import utcnow
from yingji.core.deps import get_db
from yingji.core.downloads import content_disposition
from yingji.core.responses import TypedRoute, errors
from yingji.media import service
from yingji.media.config import MediaSettings, get_media_settings
from yingji.media.schemas import MediaRead, UploadIn, UploadRead
from yingji.media.store import DiskStore

router = APIRouter(prefix="/api/v1/media", tags=["media 媒体文件"], route_class=TypedRoute)
# Everyone who signs in may send a photo or a recording (grid workers, enterprises' safety
# staff, stations), and machine channels with an integration token (the one-key alarm).
UPLOAD = allow(*tuple(Role), integrations=True)
READ = allow(*tuple(Role), integrations=True)
# ids are 64-bit: beyond that a 422, never a driver's overflow
Id = Annotated[int, Path(ge=1, le=2**63 - 1)]
BINARY = {"schema": {"type": "string", "format": "binary"}}


def _settings() -> MediaSettings:
    return get_media_settings()


def _store(request: Request) -> DiskStore:
    return request.app.state.media_store


def _owner(principal: Principal) -> service.Owner:
    return service.Owner(actor=principal.actor, territory=principal.territory())


@router.post("/uploads", response_model=UploadRead, status_code=201, responses=errors(413))
def create_upload(
    body: UploadIn,
    principal: Principal = Depends(UPLOAD),
    db: Session = Depends(get_db),
) -> UploadRead:
    """Open a resumable upload: then PUT its chunks, then complete it."""
    settings = _settings()
    up = service.create_upload(
        db, filename=body.filename, size_bytes=body.size_bytes, sha256=body.sha256,
        owner=_owner(principal), settings=settings, now=utcnow(),
    )  # fmt: skip
    db.commit()
    return UploadRead(**service.read_upload(up, settings))


@router.get("/uploads/{upload_id}", response_model=UploadRead, responses=errors(404))
def upload_status(
    upload_id: Id,
    principal: Principal = Depends(UPLOAD),
    db: Session = Depends(get_db),
) -> UploadRead:
    """Where an upload stands: ``offset`` is where the next chunk starts."""
    up = service.get_upload(db, upload_id, _owner(principal))
    return UploadRead(**service.read_upload(up, _settings()))


@router.put(
    "/uploads/{upload_id}/chunk", response_model=UploadRead, responses=errors(404, 409, 413)
)
def put_chunk(
    request: Request,
    upload_id: Id,
    offset: int = Query(ge=0, le=2**53, description="分片在文件中的起始字节 / first byte"),
    data: bytes = Body(media_type="application/octet-stream"),
    principal: Principal = Depends(UPLOAD),
    db: Session = Depends(get_db),
) -> UploadRead:
    """Write one chunk at ``offset`` (the upload's current offset; any other is a 409 whose
    ``Upload-Offset`` header says where to continue)."""
    settings = _settings()
    up = service.get_upload(db, upload_id, _owner(principal))
    up = service.put_chunk(
        db, _store(request), up=up, offset=offset, data=data, settings=settings, now=utcnow()
    )
    db.commit()
    return UploadRead(**service.read_upload(up, settings))


@router.post(
    "/uploads/{upload_id}/complete", response_model=MediaRead, status_code=201,
    responses=errors(404, 409, 413, 415),
)  # fmt: skip
def complete_upload(
    request: Request,
    upload_id: Id,
    principal: Principal = Depends(UPLOAD),
    db: Session = Depends(get_db),
) -> MediaRead:
    """Check the checksum, the content's type, size and duration; store it. A refused file
    closes the upload (``refused``) and is not kept."""
    owner = _owner(principal)
    up = service.get_upload(db, upload_id, owner)
    media = service.complete(
        db, _store(request), up=up, owner=owner, settings=_settings(), now=utcnow()
    )
    db.commit()
    return MediaRead(**service.read(media))


@router.get("/{media_id}", response_model=MediaRead, responses=errors(404))
def get_media(
    media_id: Id,
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> MediaRead:
    return MediaRead(**service.read(service.get(db, media_id, territory=principal.territory())))


def _download(request: Request, db: Session, principal: Principal, media_id: int, *,
              thumbnail: bool) -> Response:  # fmt: skip
    m = service.get(db, media_id, territory=principal.territory())
    f = service.open_content(_store(request), m, thumbnail=thumbnail)
    name = f"{m.filename}.thumb.jpg" if thumbnail else m.filename
    ext = "jpg" if thumbnail else service.extension(m)
    return StreamingResponse(
        service.chunks(f),
        media_type="image/jpeg" if thumbnail else m.mime,
        headers={
            "Content-Disposition": content_disposition(name, f"media-{m.id}.{ext}"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=86400",
        },
    )


@router.get(
    "/{media_id}/content", response_class=Response,
    responses={200: {"content": {"application/octet-stream": BINARY}}, **errors(404)},
)  # fmt: skip
def download(
    request: Request,
    media_id: Id,
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Response:
    """The file as it was sent; its name in an RFC 5987 ``Content-Disposition``."""
    return _download(request, db, principal, media_id, thumbnail=False)


@router.get(
    "/{media_id}/thumbnail", response_class=Response,
    responses={200: {"content": {"image/jpeg": BINARY}}, **errors(404)},
)  # fmt: skip
def thumbnail(
    request: Request,
    media_id: Id,
    principal: Principal = Depends(READ),
    db: Session = Depends(get_db),
) -> Response:
    """An image's JPEG thumbnail (no EXIF); 404 for other kinds."""
    return _download(request, db, principal, media_id, thumbnail=True)
