"""Attachment storage: files are kept under their SHA-256 outside the static files, their
type decided by their content (never by the name the uploader gave), their size bounded."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import IO

from django.conf import settings

from huajie.cases.transitions import Refused

# (magic prefix, content type, label). Office files are zip containers checked further below.
_SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "PNG 图片"),
    (b"\xff\xd8\xff", "image/jpeg", "JPEG 图片"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/msword", "Word 97-2003 文档"),
)
_ZIP = b"PK\x03\x04"
ALLOWED_LABELS = "PDF、JPEG/PNG 图片、Word 文档（.doc/.docx）、OFD"
# Every content type an attachment can have, as downloads declare it in the OpenAPI.
ATTACHMENT_TYPES: tuple[str, ...] = (
    *(content_type for _magic, content_type, _label in _SIGNATURES),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/ofd",
)


def sniff_content_type(head: bytes) -> str | None:
    for magic, content_type, _label in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(_ZIP):
        if b"word/" in head or b"[Content_Types].xml" in head:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if b"OFD.xml" in head:
            return "application/ofd"
    return None


def max_bytes() -> int:
    return int(getattr(settings, "HUAJIE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def storage_path(sha256: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "attachments" / sha256[:2] / sha256


def store_file(stream: IO[bytes]) -> tuple[str, int, str]:
    """Read `stream`, refuse it if too large or of a type not allowed, store it under its
    hash; returns (sha256, size, content type). Storing the same content twice is a no-op."""
    limit = max_bytes()
    digest = hashlib.sha256()
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(1024 * 1024):
        size += len(chunk)
        if size > limit:
            raise Refused(f"文件超过大小上限 {limit // (1024 * 1024)} MB，请压缩或拆分后再上传。")
        digest.update(chunk)
        chunks.append(chunk)
    if size == 0:
        raise Refused("文件是空的，请重新选择文件。")
    data = b"".join(chunks)
    content_type = sniff_content_type(data[:4096])
    if content_type is None:
        raise Refused(f"不支持的文件类型（按文件内容判断）。请上传 {ALLOWED_LABELS}。")
    sha256 = digest.hexdigest()
    path = storage_path(sha256)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(path)  # atomic: a reader never sees half a file
    return sha256, size, content_type
