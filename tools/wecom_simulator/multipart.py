"""A small multipart/form-data reader for media uploads (the stdlib `cgi` module is gone)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote


@dataclass(frozen=True)
class FormPart:
    name: str
    filename: str | None
    content_type: str
    data: bytes


class MultipartError(ValueError):
    pass


def _params(header_value: str) -> tuple[str, dict[str, str]]:
    """Split `form-data; name="media"; filename="a.pdf"` (quotes may hold `;`)."""
    items: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in header_value:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            items.append("".join(current))
            current = []
        else:
            current.append(ch)
    items.append("".join(current))
    params: dict[str, str] = {}
    for item in items[1:]:
        key, sep, value = item.strip().partition("=")
        if not sep:
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"')
        params[key.strip().lower()] = value
    return items[0].strip().lower(), params


def boundary_of(content_type: str) -> bytes:
    kind, params = _params(content_type)
    if kind != "multipart/form-data" or not params.get("boundary"):
        raise MultipartError("Content-Type must be multipart/form-data with a boundary")
    return params["boundary"].encode("latin-1")


def parse(body: bytes, content_type: str) -> list[FormPart]:
    delimiter = b"--" + boundary_of(content_type)
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise MultipartError("no form parts")
    parts: list[FormPart] = []
    for chunk in chunks[1:-1]:
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise MultipartError("a form part has no header block")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers: dict[str, str] = {}
        for line in head.split(b"\r\n"):
            key, _, value = line.partition(b":")
            try:
                text = value.decode("utf-8")
            except UnicodeDecodeError:
                text = value.decode("latin-1")
            headers[key.decode("latin-1").strip().lower()] = text.strip()
        disposition, params = _params(headers.get("content-disposition", ""))
        if disposition != "form-data" or "name" not in params:
            raise MultipartError("a form part lacks Content-Disposition: form-data; name=...")
        filename = params.get("filename")
        if "filename*" in params:
            encoded = params["filename*"]
            _, _, encoded = encoded.partition("''")
            filename = unquote(encoded)
        parts.append(
            FormPart(
                name=params["name"],
                filename=filename,
                content_type=headers.get("content-type", "application/octet-stream"),
                data=data,
            )
        )
    return parts
