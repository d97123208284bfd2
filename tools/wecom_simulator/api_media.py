"""`media/upload` (app) and `webhook/upload_media` (robot): multipart field `media`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wecom_simulator import multipart
from wecom_simulator.errcodes import EMPTY_MEDIA, INVALID_FILE_SIZE, INVALID_MEDIA_TYPE, MEDIA_TOO_LARGE, ApiError
from wecom_simulator.http_types import Request
from wecom_simulator.state import IssuedToken, UploadedMedia

if TYPE_CHECKING:
    from wecom_simulator.simulator import WeComSimulator

MB = 1024 * 1024
# Current doc 96484 figures (sheet §3); every file must be larger than 5 bytes.
APP_LIMITS = {"image": 10 * MB, "voice": 2 * MB, "video": 10 * MB, "file": 20 * MB}
ROBOT_LIMITS = {"file": 20 * MB, "voice": 2 * MB}
MIN_BYTES = 6


def store_upload(sim: WeComSimulator, req: Request, now: float, limits: dict[str, int], owner: str) -> dict[str, Any]:
    media_type = req.query.get("type", "")
    if media_type not in limits:
        raise ApiError(INVALID_MEDIA_TYPE, f"type must be one of {', '.join(limits)}")
    try:
        parts = multipart.parse(req.body, req.headers.get("content-type", ""))
    except multipart.MultipartError as exc:
        raise ApiError(EMPTY_MEDIA, str(exc)) from exc
    media = next((p for p in parts if p.name == "media"), None)
    if media is None or not media.data:
        raise ApiError(EMPTY_MEDIA, "form field 'media' missing or empty")
    if not media.filename:
        raise ApiError(INVALID_FILE_SIZE, "form field 'media' needs a filename")
    size = len(media.data)
    if size < MIN_BYTES:
        raise ApiError(INVALID_FILE_SIZE, "files must be larger than 5 bytes")
    if size > limits[media_type]:
        raise ApiError(MEDIA_TOO_LARGE, f"{media_type} limit is {limits[media_type] // MB} MB")
    media_id = sim.new_id("media")
    sim.state.media[media_id] = UploadedMedia(
        media_id=media_id,
        data=media.data,
        filename=media.filename,
        media_type=media_type,
        content_type=media.content_type,
        created_at=now,
        owner=owner,
    )
    return {"type": media_type, "media_id": media_id, "created_at": str(int(now))}


def upload(sim: WeComSimulator, req: Request, _token: IssuedToken | None, now: float) -> dict[str, Any]:
    return store_upload(sim, req, now, APP_LIMITS, "app")
