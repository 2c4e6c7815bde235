"""Real evidence files built by the tests: a PDF (pypdf), images (Pillow), OOXML and OFD zips, and OLE2
compound files (legacy Office, WPS) from a small writer of the format, so the structure checks of
tasks.evidence read true files rather than magic bytes."""

import io
import struct
import zipfile

from PIL import Image
from pypdf import PdfWriter

END, FREE, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image(image_format: str, size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=image_format)
    return buffer.getvalue()


def ooxml(main_part: str, *extra: str, xml: str = "<x/>") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(main_part, xml)
        for name in extra:
            archive.writestr(name, "x")
    return buffer.getvalue()


def ofd(root: str = '<ofd:OFD xmlns:ofd="http://www.ofdspec.org/2016" Version="1.0"/>') -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("OFD.xml", root)
        archive.writestr("Doc_0/Document.xml", "<ofd:Document xmlns:ofd='http://www.ofdspec.org/2016'/>")
    return buffer.getvalue()


def _entry(name: str, kind: int, child=NOSTREAM, right=NOSTREAM, start=END, size=0) -> bytes:
    encoded = name.encode("utf-16-le") + b"\0\0"
    return struct.pack(
        "<64sHBBIII16sIQQIQ", encoded, len(encoded), kind, 1, NOSTREAM, right, child, b"", 0, 0, 0, start, size
    )


def ole2(streams: dict[str, bytes]) -> bytes:
    """An OLE2 (CFB v3) file holding `streams`, keyed by path ("WordDocument", "Macros/VBA/dir"): one
    storage level, every stream padded to the 4096-byte cutoff (with NULs) so no mini stream is needed."""
    tree: dict[str, dict[str, bytes] | bytes] = {}
    for path, data in streams.items():
        head, _, tail = path.partition("/")
        if tail:
            tree.setdefault(head, {})[tail.replace("/", "_")] = data
        else:
            tree[head] = data
    entries, data_sectors, fat = [], [], [FATSECT, END]

    def add_stream(data: bytes) -> tuple[int, int]:
        padded = data.ljust(max(4096, -(-len(data) // SECTOR) * SECTOR), b"\0")
        start = 2 + len(data_sectors)
        count = len(padded) // SECTOR
        data_sectors.extend(padded[i * SECTOR : (i + 1) * SECTOR] for i in range(count))
        fat.extend(list(range(start + 1, start + count)) + [END])
        return start, len(padded)

    def add_level(items: dict) -> int:
        names = sorted(items, key=lambda n: (len(n), n.upper()))
        first = len(entries)
        entries.extend([None] * len(names))
        for offset, name in enumerate(names):
            right = first + offset + 1 if offset + 1 < len(names) else NOSTREAM
            value = items[name]
            if isinstance(value, dict):
                entries[first + offset] = _entry(name, 1, child=add_level(value), right=right)
            else:
                start, size = add_stream(value)
                entries[first + offset] = _entry(name, 2, right=right, start=start, size=size)
        return first

    entries.append(None)
    child = add_level(tree)
    entries[0] = _entry("Root Entry", 5, child=child)
    directory = b"".join(entries).ljust(-(-len(entries) // 4) * SECTOR, b"\0")
    directory_sectors = len(directory) // SECTOR
    assert directory_sectors == 1, "the writer keeps its directory in one sector"
    fat = (fat + [FREE] * 128)[:128]
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"",
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"",
        0,
        1,
        1,
        0,
        4096,
        END,
        0,
        END,
        0,
    ) + struct.pack("<109I", 0, *([FREE] * 108))
    return header + struct.pack("<128I", *fat) + directory + b"".join(data_sectors)
