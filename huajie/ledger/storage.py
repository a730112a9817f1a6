"""Where import files live under MEDIA_ROOT/imports/: uploads by their SHA-256 (the same
sheet uploaded twice is stored once), marked copies and progress files by import."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from huajie.ledger import conf
from huajie.ledger.safety import SheetRefused

_CHUNK = 1024 * 1024


def imports_root() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def upload_path(sha256: str) -> Path:
    return imports_root() / sha256[:2] / f"{sha256}.xlsx"


def marked_path(import_id: int) -> Path:
    return imports_root() / "marked" / f"{import_id}.xlsx"


def progress_path(import_id: int) -> Path:
    return imports_root() / "progress" / f"{import_id}.json"


def store_upload(stream: IO[bytes]) -> tuple[str, int]:
    """Copy `stream` under its hash; returns (sha256, size). Refuses it past the size limit
    while copying, so an oversized upload is never kept."""
    limit = conf.max_bytes()
    digest = hashlib.sha256()
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    size = 0
    with tempfile.NamedTemporaryFile(dir=root, suffix=".part", delete=False) as temporary:
        try:
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise SheetRefused(
                        f"文件超过上限 {limit // conf.MB} MB。请删除无关的工作表和图片，"
                        "或把台账拆成几个文件分别导入。"
                    )
                digest.update(chunk)
                temporary.write(chunk)
        except BaseException:
            temporary.close()
            Path(temporary.name).unlink(missing_ok=True)
            raise
    sha256 = digest.hexdigest()
    target = upload_path(sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    Path(temporary.name).replace(target)  # atomic: a reader never sees half a file
    return sha256, size


def write_progress(import_id: int, data: dict[str, Any]) -> None:
    """Progress is a file, not a row: the import runs inside one transaction (all or
    nothing), whose writes no other connection sees until it commits."""
    path = progress_path(import_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
    Path(name).replace(path)


def read_progress(import_id: int) -> dict[str, Any]:
    try:
        data = json.loads(progress_path(import_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
