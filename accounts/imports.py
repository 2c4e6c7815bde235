"""Reading a city's users from a small .xlsx or .csv: a header row of Chinese column names, one user a row."""

import csv
from pathlib import Path

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.forms import ImportRowForm


class UserFileError(Exception):
    """The file cannot be read as a users sheet at all."""


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a password or username typed as a number
    return str(value).strip()


def users_file_read(path: Path) -> list[tuple[int, dict]]:
    """(row number as the spreadsheet shows it, {column: text}) for every non-empty row after the header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as f:
            table = [list(r) for r in csv.reader(f)]
    elif suffix == ".xlsx":
        try:
            sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise UserFileError(_("无法读取 Excel 文件：%(error)s") % {"error": error}) from error
        table = [list(r) for r in sheet.iter_rows(values_only=True)]
    else:
        raise UserFileError(_("只支持 .xlsx 或 .csv 文件。"))
    if not table:
        raise UserFileError(_("文件是空的。"))
    header = [_cell(h) for h in table[0]]
    missing = [c for c in ("用户名", "角色") if c not in header]
    if missing:
        raise UserFileError(_("第1行缺少列：%(columns)s") % {"columns": "、".join(missing)})
    unknown = [h for h in header if h and h not in ImportRowForm.COLUMNS]
    if unknown:
        raise UserFileError(
            _("第1行有未知列：%(columns)s（可用列：%(known)s）")
            % {"columns": "、".join(unknown), "known": "、".join(ImportRowForm.COLUMNS)}
        )
    rows = []
    for number, values in enumerate(table[1:], start=2):
        cells = [_cell(v) for v in values]
        if not any(cells):
            continue
        rows.append((number, {h: v for h, v in zip(header, cells, strict=False) if h}))
    return rows
