"""Backup and restore of the database and the uploaded files (issue #8).

A backup is one uncompressed tar file:

    database.sqlite3 | database.pgdump   the dump (SQLite backup API / pg_dump --format=custom)
    media/<path>                          every file under MEDIA_ROOT (attachments, imports,
                                          bulletins), by its path relative to MEDIA_ROOT
    manifest.json                         engine, Huajie version, latest migration per app,
                                          UTC time, SHA-256 and size of every member above

Restore verifies the whole file against the manifest before it touches anything, refuses a
file from another engine or one whose schema is newer than this code, and only then replaces
the database and puts back the files that are missing or differ.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINE_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A refusal or failure, with a Chinese message for the operator."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    engine: str
    database_bytes: int
    media_files: int
    media_bytes: int


@dataclass(frozen=True)
class RestoreResult:
    engine: str
    created_at: str
    media_written: int
    media_unchanged: int


# --- shared ---------------------------------------------------------------------------


def engine() -> str:
    vendor = connection.vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(f"不支持备份 {vendor} 数据库：只支持 SQLite 和 PostgreSQL。")
    return vendor


def huajie_version() -> str:
    try:
        return metadata.version("huajie")
    except metadata.PackageNotFoundError:
        return "未知"


def latest_migrations() -> dict[str, str]:
    """The latest applied migration of each app, as the database records it."""
    latest: dict[str, str] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        if name > latest.get(app_label, ""):
            latest[app_label] = name
    return dict(sorted(latest.items()))


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


# --- PostgreSQL tools -------------------------------------------------------------------


def _tool_major(binary: str) -> int | None:
    try:
        out = subprocess.run(  # noqa: S603  (a fixed binary path, no shell)
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except OSError:
        return None
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def _candidates(tool: str) -> list[str]:
    found = []
    on_path = shutil.which(tool)
    if on_path:
        found.append(on_path)
    # Debian/Ubuntu keep every installed major version side by side; newest first.
    versioned = [str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{tool}")]
    found += sorted(versioned, key=_major_of_path, reverse=True)
    return found


def _major_of_path(path: str) -> int:
    digits = re.sub(r"\D", "", Path(path).parts[-3])
    return int(digits) if digits else 0


def find_pg_tool(tool: str, server_major: int) -> str:
    """The `tool` (pg_dump, pg_restore) of the server's major version, else a newer one
    (they read older servers), from PATH then /usr/lib/postgresql/*/bin. An older one
    refuses to dump a newer server, so it is never chosen."""
    newer: str | None = None
    for binary in _candidates(tool):
        major = _tool_major(binary)
        if major == server_major:
            return binary
        if major is not None and major > server_major and newer is None:
            newer = binary
    if newer:
        return newer
    raise BackupError(
        f"找不到与 PostgreSQL 服务器（{server_major} 版）匹配的 {tool}："
        f"请安装 postgresql-client-{server_major}（apt-get install postgresql-client-"
        f"{server_major}），或把 {tool} 所在目录加入 PATH。"
    )


def _server_major() -> int:
    connection.ensure_connection()
    version = int(connection.pg_version)  # type: ignore[attr-defined]
    return version // 10000


def _pg_env() -> dict[str, str]:
    """libpq's environment for the configured database: the password travels in PGPASSWORD,
    never on a command line where `ps` would show it."""
    config = connection.settings_dict
    env = dict(os.environ)
    pairs = {
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGDATABASE": config.get("NAME"),
    }
    options = config.get("OPTIONS") or {}
    for key, var in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        pairs[var] = options.get(key)
    for var, value in pairs.items():
        if value not in (None, ""):
            env[var] = str(value)
    return env


def _run_pg(argv: list[str], what: str) -> str:
    result = subprocess.run(  # noqa: S603  (binary found above, arguments built here)
        argv, env=_pg_env(), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()[-2000:]
        tool = Path(argv[0]).name
        raise BackupError(f"{what}失败（{tool} 退出码 {result.returncode}）：{detail}")
    return result.stdout


# --- backup -----------------------------------------------------------------------------


def _dump_sqlite(target: Path) -> None:
    """An online, consistent copy through SQLite's backup API: one step (pages=-1) under one
    read transaction, so writers in WAL mode carry on and the copy is one moment's state."""
    source = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    destination = sqlite3.connect(str(target))
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _dump_postgresql(target: Path) -> None:
    binary = find_pg_tool("pg_dump", _server_major())
    _run_pg([binary, "--format=custom", "--no-owner", f"--file={target}"], "备份 PostgreSQL 数据库")


def _media_files() -> Iterator[tuple[Path, str]]:
    """(file, path relative to MEDIA_ROOT) of every finished file; half-written `.part`
    files are skipped."""
    root = _media_root()
    if not root.is_dir():
        return
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".part":
            yield path, path.relative_to(root).as_posix()


class _HashingReader:
    """Hands a file to tarfile while hashing exactly the bytes that go into the archive."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def _add(archive: tarfile.TarFile, name: str, path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        info = archive.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = _HashingReader(handle)
        archive.addfile(info, reader)
    return {"path": name, "sha256": reader.digest.hexdigest(), "size": info.size}


def backup(target: Path) -> BackupResult:
    """Write a backup of the database and MEDIA_ROOT to `target` (atomically: a half-written
    backup never carries the final name)."""
    kind = engine()
    target = target.resolve()
    if target.is_relative_to(_media_root().resolve()):
        # The backup would copy itself (and its scratch files) into itself.
        raise BackupError(f"备份文件不能放在上传文件目录 {_media_root()} 之内，请换一个目录。")
    target.parent.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC)
    migrations = latest_migrations()
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".huajie-backup-") as work:
        dump = Path(work) / DUMP_NAMES[kind]
        if kind == "sqlite":
            _dump_sqlite(dump)
        else:
            _dump_postgresql(dump)
        partial = Path(work) / "backup.tar"
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            database = _add(archive, DUMP_NAMES[kind], dump)
            # The files are copied after the dump: a file is stored before the row naming it
            # commits and is never deleted, so every file the dump refers to is here.
            media = []
            for path, rel in _media_files():
                try:
                    media.append(_add(archive, MEDIA_PREFIX + rel, path))
                except FileNotFoundError:
                    continue  # deleted meanwhile: only files no row refers to ever are
            manifest = {
                "format": FORMAT,
                "application": "huajie",
                "engine": kind,
                "huajie_version": huajie_version(),
                "migrations": migrations,
                "created_at": created.isoformat(timespec="seconds"),
                "database": database,
                "media": media,
            }
            body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(created.timestamp())
            archive.addfile(info, _BytesReader(body))
        # The file holds personal data (ID numbers, phones): readable by its owner only.
        partial.chmod(0o600)
        partial.replace(target)
    return BackupResult(
        path=target,
        engine=kind,
        database_bytes=int(database["size"]),
        media_files=len(media),
        media_bytes=sum(int(m["size"]) for m in media),
    )


class _BytesReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk = self.data[self.offset : end]
        self.offset += len(chunk)
        return chunk


# --- restore: checks --------------------------------------------------------------------


def read_manifest(archive: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = archive.getmember(MANIFEST)
        handle = archive.extractfile(member)
        manifest = json.loads(handle.read()) if handle else None
    except (KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(
            "这不是 Huajie 备份文件，或文件已损坏：找不到可读的清单 manifest.json。"
        ) from exc
    if not isinstance(manifest, dict) or manifest.get("application") != "huajie":
        raise BackupError("这不是 Huajie 备份文件：清单 manifest.json 的内容不对。")
    if manifest.get("format") != FORMAT:
        raise BackupError(
            f"备份文件格式版本 {manifest.get('format')} 与本程序（{FORMAT}）不符，无法恢复。"
        )
    return manifest


def check_engine(manifest: dict[str, Any]) -> None:
    theirs, ours = str(manifest.get("engine")), engine()
    if theirs != ours:
        label = ENGINE_LABELS.get(theirs, theirs)
        raise BackupError(
            f"这是 {label} 数据库的备份，当前数据库是 {ENGINE_LABELS[ours]}：不能跨数据库恢复。"
            f"请在 {label} 上恢复。"
        )


def check_migrations(manifest: dict[str, Any]) -> None:
    """Refuse a backup whose schema this code does not know: it came from a newer Huajie."""
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    for app_label, name in sorted((manifest.get("migrations") or {}).items()):
        if (app_label, name) not in known:
            raise BackupError(
                f"备份比当前程序新：其中 {app_label} 的数据库迁移 {name} 在本程序中不存在"
                f"（备份由 Huajie {manifest.get('huajie_version', '未知')} 生成，"
                f"当前为 {huajie_version()}）。请先升级 Huajie 再恢复。"
            )


def _safe_relative(name: str) -> str:
    """A media member's path under MEDIA_ROOT; anything that could escape it is refused."""
    relative = name[len(MEDIA_PREFIX) :]
    parts = PurePosixPath(relative).parts
    if not relative or relative.startswith("/") or ".." in parts or "\\" in relative:
        raise BackupError(f"备份文件已损坏或被篡改：包含不安全的路径 {name!r}。")
    return relative


def _extract_verified(archive: tarfile.TarFile, entry: dict[str, Any], target: Path) -> None:
    """Copy one member to `target`, refusing it unless its SHA-256 and size match."""
    name = str(entry.get("path", ""))
    try:
        member = archive.getmember(name)
        source = archive.extractfile(member)
    except (KeyError, tarfile.TarError) as exc:
        raise BackupError(f"备份文件不完整：缺少 {name}。") from exc
    if source is None:
        raise BackupError(f"备份文件已损坏：{name} 不是普通文件。")
    digest = hashlib.sha256()
    size = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        try:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"备份文件已损坏：读取 {name} 时出错（{exc}）。") from exc
    if digest.hexdigest() != entry.get("sha256") or size != entry.get("size"):
        raise BackupError(f"备份文件已损坏：{name} 的 SHA-256 校验和与清单不符。请换用另一份备份。")


def database_has_data() -> bool:
    """Whether any of Huajie's own tables holds a row (a freshly migrated database holds
    only content types and permissions, which restore may overwrite without asking)."""
    existing = set(connection.introspection.table_names())
    for model in apps.get_models():
        if not model.__module__.startswith("huajie."):
            continue
        if model._meta.db_table in existing and model._base_manager.exists():
            return True
    return False


# --- restore: writing -------------------------------------------------------------------


def _restore_sqlite(dump: Path) -> None:
    """Replace the live database page by page with SQLite's backup API (it takes the write
    lock, so a concurrent writer waits rather than interleaving)."""
    connections.close_all()
    source = sqlite3.connect(str(dump))
    destination = sqlite3.connect(str(connection.settings_dict["NAME"]), timeout=30)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _dump_tables(binary: str, dump: Path) -> set[tuple[str, str]]:
    """(schema, table) of every table the custom-format dump creates."""
    listing = _run_pg([binary, "--list", str(dump)], "读取 PostgreSQL 备份目录")
    tables = set()
    for line in listing.splitlines():
        # e.g. "218; 1259 16412 TABLE public cases_petitioncase postgres"
        match = re.match(r"^\d+;\s+\d+\s+\d+\s+TABLE\s+(\S+)\s+(\S+)\s", line)
        if match:
            tables.add((match.group(1), match.group(2)))
    return tables


def _drop_tables_not_in(keep: set[tuple[str, str]]) -> list[str]:
    """Drop tables of the current schema that the dump does not hold: a database ahead of
    the backup (e.g. a failed upgrade) would otherwise keep tables that `migrate` later tries
    to create again. --clean only drops what the dump itself contains."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT schemaname, tablename FROM pg_tables WHERE schemaname = current_schema()"
        )
        extra = [f"{s}.{t}" for s, t in cursor.fetchall() if (s, t) not in keep]
        for name in extra:
            schema, table = name.split(".", 1)
            cursor.execute(
                f"DROP TABLE IF EXISTS {connection.ops.quote_name(schema)}."
                f"{connection.ops.quote_name(table)} CASCADE"
            )
    return extra


def _restore_postgresql(dump: Path) -> None:
    binary = find_pg_tool("pg_restore", _server_major())
    _drop_tables_not_in(_dump_tables(binary, dump))
    connections.close_all()
    _run_pg(
        [
            binary,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        "恢复 PostgreSQL 数据库",
    )


def _put_media(staged: Path, relative: str, sha256: str) -> bool:
    """Put one file back under MEDIA_ROOT unless an identical one is there; returns whether
    it wrote. Idempotent: a second restore writes nothing."""
    target = _media_root() / relative
    if target.is_file() and _sha256_file(target) == sha256:
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".restore.part")
    shutil.copyfile(staged, partial)
    partial.replace(target)  # atomic: a reader never sees half a file
    return True


def restore(
    source: Path,
    *,
    confirm: Callable[[], bool],
) -> RestoreResult:
    """Restore `source`. `confirm` is asked only when the database holds data; it returns
    False to stop without changing anything."""
    if not source.is_file():
        raise BackupError(f"找不到备份文件 {source}。")
    try:
        archive = tarfile.open(source, "r:")  # noqa: SIM115  (closed by the `with` below)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(
            f"这不是 Huajie 备份文件，或文件已损坏：{source} 无法作为备份读取。"
        ) from exc
    with archive, tempfile.TemporaryDirectory(prefix="huajie-restore-") as work:
        manifest = read_manifest(archive)
        check_engine(manifest)
        check_migrations(manifest)
        kind = engine()
        database = manifest.get("database") or {}
        if database.get("path") != DUMP_NAMES[kind]:
            raise BackupError("备份文件已损坏：清单中没有数据库部分。")
        # Everything is verified into a scratch directory before anything live is touched.
        dump = Path(work) / DUMP_NAMES[kind]
        _extract_verified(archive, database, dump)
        staged: list[tuple[Path, str, str]] = []
        for index, entry in enumerate(manifest.get("media") or []):
            name = str(entry.get("path", ""))
            if not name.startswith(MEDIA_PREFIX):
                raise BackupError(f"备份文件已损坏：清单中有不认识的条目 {name!r}。")
            relative = _safe_relative(name)
            path = Path(work) / "media" / str(index)
            _extract_verified(archive, entry, path)
            staged.append((path, relative, str(entry["sha256"])))
        if database_has_data() and not confirm():
            raise BackupError("已取消：当前数据库中有数据，未确认覆盖，什么也没有改动。")
        if kind == "sqlite":
            _restore_sqlite(dump)
        else:
            _restore_postgresql(dump)
        connections.close_all()
        written = sum(_put_media(path, rel, sha) for path, rel, sha in staged)
    return RestoreResult(
        engine=kind,
        created_at=str(manifest.get("created_at", "")),
        media_written=written,
        media_unchanged=len(staged) - written,
    )


def unapplied_migrations() -> list[str]:
    """Migrations of this code the (restored) database has not applied: an older backup."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = set(loader.applied_migrations or {})
    return sorted(f"{a}.{n}" for a, n in loader.disk_migrations if (a, n) not in applied)
