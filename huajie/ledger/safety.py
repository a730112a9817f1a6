"""Is an uploaded file a spreadsheet we can safely open? Decided from its content, never
from its name, before any spreadsheet library touches it.

- An .xlsx is a zip: its directory (read without unpacking anything) must name a workbook,
  and the sizes it declares must stay within limits, so a zip bomb is refused before it is
  inflated. Python's zipfile also stops at the declared size and checks the CRC, so a
  directory that lies about sizes cannot inflate more than it declared.
- An OLE2 container (the old binary format) is either an encrypted workbook (Office puts
  the encrypted .xlsx inside OLE2 with an "EncryptionInfo" stream) or an .xls of Excel
  97-2003. Neither is read: the first needs its password removed, the second to be saved as
  .xlsx; both are refused with those instructions. (.xls could be read with python-calamine,
  but calamine cannot tell a formula from a value, and the import must refuse formulas.)
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from huajie.ledger import conf

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
BIG_MEMBER = 10 * conf.MB  # the ratio limit applies to members larger than this
MAX_MEMBERS = 10_000

SAVE_AS_XLSX = "请在 Excel 中打开后“另存为”“Excel 工作簿(*.xlsx)”，再导入另存的文件。"


class SheetRefused(Exception):
    """The whole file is refused; str() is the Chinese reason with what to do."""


def inspect_file(path: Path) -> None:
    """Raise SheetRefused unless `path` looks like an .xlsx workbook that is safe to open."""
    size = path.stat().st_size
    if size == 0:
        raise SheetRefused("文件是空的。请重新选择任务台账 Excel 文件。")
    limit = conf.max_bytes()
    if size > limit:
        raise SheetRefused(
            f"文件有 {size / conf.MB:.1f} MB，超过上限 {limit // conf.MB} MB。"
            "请删除无关的工作表和图片，或把台账拆成几个文件分别导入。"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2_MAGIC):
        _refuse_ole2(path)
    if not head.startswith(ZIP_MAGIC):
        raise SheetRefused(
            "这不是 Excel 表格文件（按文件内容判断，与文件扩展名无关）。"
            "请上传 Excel 工作簿（.xlsx）格式的任务台账。"
        )
    _check_zip(path)


def _refuse_ole2(path: Path) -> None:
    data = path.read_bytes()  # bounded by max_bytes(); directory names are UTF-16LE
    if (
        "EncryptionInfo".encode("utf-16-le") in data
        or "EncryptedPackage".encode("utf-16-le") in data
    ):
        raise SheetRefused(
            "文件设置了打开密码（已加密），系统无法读取。请在 Excel 中打开文件，"
            "在“文件→信息→保护工作簿→用密码进行加密”中清空密码并保存，再导入。"
        )
    if "Workbook".encode("utf-16-le") in data or "Book".encode("utf-16-le") in data:
        raise SheetRefused(
            f"这是旧版 Excel 97-2003 工作簿（.xls），系统只读取 .xlsx。{SAVE_AS_XLSX}"
        )
    raise SheetRefused("这是旧版 Office 文件，不是 Excel 表格。请上传 .xlsx 格式的任务台账。")


def _check_zip(path: Path) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise SheetRefused(
            "文件已损坏，无法打开。请在 Excel 中重新保存为 .xlsx 后再导入。"
        ) from None
    with archive:
        members = archive.infolist()
        names = {member.filename for member in members}
        _check_kind(names)
        _check_sizes(members)


def _check_kind(names: set[str]) -> None:
    if "xl/workbook.xml" in names:
        return
    if "word/document.xml" in names:
        raise SheetRefused("这是 Word 文档，不是 Excel 表格。请上传 .xlsx 格式的任务台账。")
    if "content.xml" in names and "mimetype" in names:
        raise SheetRefused(f"这是 WPS/OpenOffice 表格（.ods 等），系统只读取 .xlsx。{SAVE_AS_XLSX}")
    raise SheetRefused("这是一个压缩包，不是 Excel 表格。请上传 .xlsx 格式的任务台账。")


def _check_sizes(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise SheetRefused("文件内部结构异常（部件过多），为安全起见不予读取。请重新保存为 .xlsx。")
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise SheetRefused(
                "文件内部部件被加密，系统无法读取。请取消加密后另存为 .xlsx 再导入。"
            )
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > BIG_MEMBER and ratio > conf.max_ratio():
            raise SheetRefused(
                "文件解压后异常膨胀（疑似“压缩炸弹”），为安全起见不予读取。"
                "如确为任务台账，请在 Excel 中重新保存后再导入。"
            )
    if total > conf.max_uncompressed_bytes():
        raise SheetRefused(
            f"文件解压后有 {total / conf.MB:.0f} MB，超过上限 "
            f"{conf.max_uncompressed_bytes() // conf.MB} MB。请删除无关的工作表和图片，"
            "或把台账拆成几个文件分别导入。"
        )
