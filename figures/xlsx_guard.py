"""What an uploaded .xlsx may hold, checked before openpyxl reads it.

openpyxl trusts its input: a 300 KB file unpacking to 98 MB of empty rows ties a worker up for minutes, a
<v>NaN</v> or an out-of-range shared-string index raises deep inside it. So every part is checked first by
streaming it through expat with defusedxml's protections (no DTD, no entity declaration, no external
reference; openpyxl itself then parses through defusedxml, installed for it): its unpacked size, the rows
and cells of each sheet, the shared strings, and every cell's stored value against its type. Each refusal
names the file and the part or cell. The scan also notes the formula cells saved without a result, so the
reader needs to open the workbook only once (with the saved values).
"""

import datetime as dt
import io
import math
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from django.utils.translation import gettext as _

MAX_PARTS = 200
MAX_PART_BYTES = 32 * 1024 * 1024
"""Unpacked size of one part: a 20,000-row template's sheet is about 10 MB."""
MAX_UNPACKED_BYTES = 64 * 1024 * 1024
MAX_SHEET_ROW = 20_200
"""The last row number a sheet may use: the templates' 20,000 data rows and their header, with room."""
MAX_CELLS = 300_000
"""20,000 rows of the widest template's 13 columns are 260,000 cells."""
MAX_SHARED_STRINGS = 100_000
MAX_STRING_CHARS = 32_767
"""Excel's own limit on the text of one cell."""

_CELL_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Refused(Exception):
    """The file is refused before parsing; the message names the file and the part or cell."""


@dataclass
class SheetPart:
    name: str
    state: str
    path: str
    formulas_without_value: set[str] = field(default_factory=set)


@dataclass
class Inspection:
    sheets: list[SheetPart]

    def sheet(self, name: str) -> SheetPart | None:
        return next((s for s in self.sheets if s.name == name), None)


class _Bounded(io.RawIOBase):
    """A part's stream that refuses to unpack beyond the limit, whatever the zip header claims."""

    def __init__(self, stream, limit: int, on_exceed):
        self.stream, self.left, self.on_exceed = stream, limit, on_exceed

    def readable(self):
        return True

    def readinto(self, buffer):
        data = self.stream.read(min(len(buffer), self.left + 1))
        self.left -= len(data)
        if self.left < 0:
            self.on_exceed()
        buffer[: len(data)] = data
        return len(data)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def inspect(content: bytes, *, name: str) -> Inspection:
    """Check every part of the workbook; return its sheets (name, visibility, part) for the reader."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise Refused(_("文件“%(file)s”不是有效的 .xlsx 文件。") % {"file": name}) from error
    with archive:
        return _Scan(archive, infos, name).run()


class _Scan:
    def __init__(self, archive: zipfile.ZipFile, infos, name: str):
        self.archive, self.infos, self.name = archive, infos, name
        self.shared_count = 0

    def refuse(self, message: str, **values):
        raise Refused(message % {"file": self.name, **values})

    def run(self) -> Inspection:
        if len(self.infos) > MAX_PARTS:
            self.refuse(_("文件“%(file)s”包含的部件过多（%(n)s个），不是ipcity模板。"), n=len(self.infos))
        total = 0
        names = set()
        for info in self.infos:
            if info.filename in names:
                self.refuse(_("文件“%(file)s”中部件“%(part)s”重复出现，文件已损坏或被改动。"), part=info.filename)
            names.add(info.filename)
            if info.file_size > MAX_PART_BYTES:
                self._too_big(info.filename)
            total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            self.refuse(
                _("文件“%(file)s”解压后超过%(mb)s MB，不像是填报模板；请使用下载的模板。"),
                mb=MAX_UNPACKED_BYTES // (1024 * 1024),
            )
        if "xl/workbook.xml" not in names:
            self.refuse(_("文件“%(file)s”不是有效的 .xlsx 文件。"))
        sheets = self._sheets()
        if "xl/sharedStrings.xml" in names:
            self._shared_strings("xl/sharedStrings.xml")
        for sheet in sheets:
            if sheet.path not in names:
                self.refuse(_("文件“%(file)s”缺少工作表“%(sheet)s”的内容，文件已损坏。"), sheet=sheet.name)
            self._sheet(sheet)
        checked = {"xl/workbook.xml", "xl/sharedStrings.xml", *(s.path for s in sheets)}
        for info in self.infos:
            lowered = info.filename.lower()
            if info.filename not in checked and (lowered.endswith(".xml") or lowered.endswith(".rels")):
                self._parse(info.filename)
        return Inspection(sheets=sheets)

    def _too_big(self, part: str):
        self.refuse(
            _("文件“%(file)s”的部件“%(part)s”解压后超过%(mb)s MB，不像是填报模板；请使用下载的模板。"),
            part=part,
            mb=MAX_PART_BYTES // (1024 * 1024),
        )

    def _parse(self, part: str, handler=None):
        """Stream one XML part through expat with the protections defusedxml applies (no DTD, no entity
        declaration, no external reference), calling handler.start/end/text; any violation or malformed XML
        refuses the file naming the part. Plain pyexpat callbacks: a third of the time of ElementTree."""
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True

        def forbidden(*_args):
            raise _Forbidden

        parser.StartDoctypeDeclHandler = forbidden
        parser.EntityDeclHandler = forbidden
        parser.UnparsedEntityDeclHandler = forbidden
        parser.ExternalEntityRefHandler = forbidden
        if handler is not None:
            parser.StartElementHandler = handler.start
            parser.EndElementHandler = handler.end
            parser.CharacterDataHandler = handler.text
        stream = _Bounded(self.archive.open(part), MAX_PART_BYTES, lambda: self._too_big(part))
        try:
            parser.ParseFile(io.BufferedReader(stream, buffer_size=1 << 16))
        except _Forbidden as error:
            raise Refused(
                _("文件“%(file)s”的部件“%(part)s”含有DTD或实体声明，出于安全原因不被接受。")
                % {"file": self.name, "part": part}
            ) from error
        except (expat.ExpatError, zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise Refused(
                _("文件“%(file)s”的部件“%(part)s”不是有效的XML，文件已损坏：%(error)s")
                % {"file": self.name, "part": part, "error": str(error)[:200]}
            ) from error

    def _sheets(self) -> list[SheetPart]:
        targets = {}
        sheets = []

        def relationship(name, attrs):
            if _local(name) == "Relationship":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                targets[attrs.get("Id")] = path

        def sheet(name, attrs):
            if _local(name) == "sheet":
                sheets.append((attrs.get("name", ""), attrs.get("state", "visible"), attrs.get(f"{_REL_NS}}}id")))

        if "xl/_rels/workbook.xml.rels" in self.archive.namelist():
            self._parse("xl/_rels/workbook.xml.rels", _Handler(start=relationship))
        self._parse("xl/workbook.xml", _Handler(start=sheet))
        return [SheetPart(name=n, state=state, path=targets.get(rel, "")) for n, state, rel in sheets]

    def _shared_strings(self, part: str):
        scan = self
        state = {"count": 0, "chars": 0, "in_t": False}

        def start(name, _attrs):
            local = _local(name)
            if local == "si":
                state["count"] += 1
                state["chars"] = 0
                if state["count"] > MAX_SHARED_STRINGS:
                    scan.refuse(_("文件“%(file)s”的共享字符串超过%(n)s条，不像是填报模板。"), n=MAX_SHARED_STRINGS)
            elif local == "t":
                state["in_t"] = True

        def end(name):
            if _local(name) == "t":
                state["in_t"] = False

        def text(data):
            if state["in_t"]:
                state["chars"] += len(data)
                if state["chars"] > MAX_STRING_CHARS:
                    scan._too_long()

        self._parse(part, _Handler(start=start, end=end, text=text))
        self.shared_count = state["count"]

    def _too_long(self):
        self.refuse(
            _("文件“%(file)s”中有一段文字超过Excel单元格%(max)s个字符的上限，不像是填报内容。"), max=MAX_STRING_CHARS
        )

    def _sheet(self, sheet: SheetPart):
        self._parse(sheet.path, _SheetHandler(self, sheet))

    def _too_many_rows(self, sheet: SheetPart):
        self.refuse(
            _("文件“%(file)s”的工作表“%(sheet)s”超过%(n)s行，不像是填报模板；请删除多余的空行后重新上传。"),
            sheet=sheet.name,
            n=MAX_SHEET_ROW,
        )

    def _valid(self, kind: str, value: str) -> bool:
        if kind == "n":
            try:
                return math.isfinite(float(value))
            except ValueError:
                return False
        if kind == "s":
            return value.strip().isdigit() and int(value) < self.shared_count
        if kind == "b":
            return value.strip() in ("0", "1")
        if kind == "d":
            try:
                dt.datetime.fromisoformat(value.strip())
            except ValueError:
                return False
            return True
        return kind in ("str", "inlineStr", "e")


class _Forbidden(Exception):
    pass


class _Handler:
    def __init__(self, start=None, end=None, text=None):
        self.start = start or (lambda _name, _attrs: None)
        self.end = end or (lambda _name: None)
        self.text = text or (lambda _data: None)


class _SheetHandler:
    """Rows, cells and each cell's stored value, as expat reports them."""

    def __init__(self, scan: _Scan, sheet: SheetPart):
        self.scan, self.sheet = scan, sheet
        self.rows = self.cells = self.chars = 0
        self.ref = self.kind = None
        self.value: list[str] | None = None
        self.formula = False
        self.capture = None  # "v" or "t" while inside one

    def start(self, name, attrs):
        local = _local(name)
        if local == "c":
            self.cells += 1
            if self.cells > MAX_CELLS:
                self.scan.refuse(
                    _("文件“%(file)s”的工作表“%(sheet)s”超过%(n)s个单元格，不像是填报模板。"),
                    sheet=self.sheet.name,
                    n=MAX_CELLS,
                )
            self.ref, self.kind, self.value, self.formula = attrs.get("r", ""), attrs.get("t", "n"), None, False
            if self.ref:
                match = _CELL_REF.fullmatch(self.ref)
                if match is None:
                    message = _("文件“%(file)s”的工作表“%(sheet)s”中单元格地址“%(ref)s”无效。")
                    self.scan.refuse(message, sheet=self.sheet.name, ref=self.ref[:20])
                if int(match[2]) > MAX_SHEET_ROW:
                    self.scan._too_many_rows(self.sheet)
        elif local == "row":
            self.rows += 1
            number = attrs.get("r")
            if self.rows > MAX_SHEET_ROW or (
                number is not None and (not number.isdigit() or int(number) > MAX_SHEET_ROW)
            ):
                self.scan._too_many_rows(self.sheet)
        elif local == "v":
            self.capture, self.value = "v", []
        elif local == "f":
            self.formula = True
        elif local == "t":
            self.capture, self.chars = "t", 0

    def text(self, data):
        if self.capture == "v":
            self.value.append(data)
        elif self.capture == "t":
            self.chars += len(data)
            if self.chars > MAX_STRING_CHARS:
                self.scan._too_long()

    def end(self, name):
        local = _local(name)
        if local in ("v", "t"):
            self.capture = None
        elif local == "c":
            value = None if self.value is None else "".join(self.value)
            if self.formula and not value:
                self.sheet.formulas_without_value.add(self.ref)
            elif value is not None and not self.scan._valid(self.kind, value):
                self.scan.refuse(
                    _("文件“%(file)s”的工作表“%(sheet)s”中单元格 %(ref)s 保存的值“%(value)s”无法读取，文件已损坏。"),
                    sheet=self.sheet.name,
                    ref=self.ref,
                    value=value[:40],
                )
