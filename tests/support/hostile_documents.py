"""Hostile contract files, generated small: compression bombs, page-tree and nesting traps, XML entity bombs.

Each is a few KB to a few hundred KB on disk and built in well under a second or two; what they *would* cost a
naive reader is in each docstring. Used by tests/test_documents_hostile.py and benchmarks/document_limits_bench.py.
"""

from __future__ import annotations

import io
import zipfile
import zlib

import docx

MiB = 1024 * 1024


def _pdf(objects: list[bytes]) -> bytes:
    """A well-formed PDF (header, numbered objects, xref, trailer) around `objects`, object 1 being the catalog."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _deflate_zeros(size: int, fill: bytes = b" ") -> bytes:
    """`size` bytes of `fill`, deflated as a stream (never held in memory whole)."""
    packer = zlib.compressobj(9)
    block = fill * MiB
    parts = [packer.compress(block) for _ in range(size // MiB)]
    parts.append(packer.flush())
    return b"".join(parts)


_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_flate_bomb(unpacked: int = 1024 * MiB) -> bytes:
    """One page whose content stream is deflated twice: ~few KB on disk, `unpacked` bytes (1 GiB) of spaces."""
    once = _deflate_zeros(unpacked)
    twice = zlib.compress(once, 9)
    stream = (b"<< /Length %d /Filter [/FlateDecode /FlateDecode] >>\nstream\n" % len(twice) + twice
              + b"\nendstream")
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> >> >>",
                 stream, _FONT])


def pdf_huge_page_tree(fanout: int = 100, depth: int = 3) -> bytes:
    """A page tree in which each node lists the next one `fanout` times: fanout**depth pages (a million) from a
    few KB, every one a copy a naive reader materialises. The /Count is honest."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        child = 2 + level + 1
        kids = b" ".join([b"%d 0 R" % child] * fanout)
        objects.append(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, fanout ** (depth - level)))
    content = b"BT /F1 12 Tf 72 720 Td (page) Tj ET"
    content_obj, font = 3 + depth, 4 + depth
    objects.append(b"<< /Type /Page /MediaBox [0 0 612 792] /Contents %d 0 R "
                   b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (content_obj, font))
    objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(_FONT)
    return _pdf(objects)


def pdf_lying_page_tree(fanout: int = 100, depth: int = 3) -> bytes:
    """As `pdf_huge_page_tree`, but every /Count says 1, so only walking the tree shows its size."""
    return pdf_huge_page_tree(fanout, depth).replace(b"/Count 1000000", b"/Count 1      ").replace(
        b"/Count 10000", b"/Count 1    ").replace(b"/Count 100 ", b"/Count 1   ")


def pdf_deeply_nested(depth: int = 200_000) -> bytes:
    """A page whose resources hold an array nested `depth` levels deep: a recursive parser overflows its stack."""
    nested = b"[" * depth + b"]" * depth
    content = b"BT /F1 12 Tf 72 720 Td (Signed agreement) Tj ET"
    return _pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                 b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                 b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
                 b"/Resources << /Font << /F1 5 0 R >> /Trap " + nested + b" >> >>",
                 b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
                 _FONT])


def _docx_parts() -> dict[str, bytes]:
    word = docx.Document()
    word.add_paragraph("SUPPLY AGREEMENT between Acme Corp and Beta LLC.")
    buffer = io.BytesIO()
    word.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _docx(parts: dict[str, bytes], big: tuple[str, int, bytes, bytes] | None = None, fill: bytes = b" ") -> bytes:
    """A DOCX of `parts`; `big` = (member, size, head, tail) streams a member of about `size` bytes of `fill`."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            if big and name == big[0]:
                continue
            archive.writestr(name, data)
        if big:
            name, size, head, tail = big
            with archive.open(name, "w", force_zip64=True) as member:
                member.write(head)
                block = fill * (MiB // len(fill))
                for _ in range(size // len(block)):
                    member.write(block)
                member.write(tail)
    return out.getvalue()


def docx_zip_bomb(unpacked: int = 1024 * MiB) -> bytes:
    """A Word document whose document.xml is `unpacked` bytes (1 GiB) of whitespace: ~1 MB on disk."""
    parts = _docx_parts()
    xml = parts["word/document.xml"]
    cut = xml.index(b"</w:body>")
    return _docx(parts, ("word/document.xml", unpacked, xml[:cut], xml[cut:]))


def docx_paragraph_flood(unpacked: int = 512 * MiB) -> bytes:
    """document.xml holds ~90 million empty paragraphs (`unpacked` bytes of `<w:p/>`): even with the size caps
    raised, building them takes more memory and time than any contract. Tests the process limits, not the caps."""
    parts = _docx_parts()
    xml = parts["word/document.xml"]
    cut = xml.index(b"</w:body>")
    return _docx(parts, ("word/document.xml", unpacked, xml[:cut], xml[cut:]), fill=b"<w:p/>")


def docx_lying_sizes(unpacked: int = 256 * MiB) -> bytes:
    """A zip bomb whose directory declares document.xml a few KB: only streaming with a count catches it."""
    data = bytearray(docx_zip_bomb(unpacked))
    # zipfile wrote the sizes in a ZIP64 extra field; rewrite the central directory entry's to claim 4 KB.
    name = b"word/document.xml"
    central = data.rfind(b"PK\x01\x02", 0, data.rfind(b"PK\x05\x06"))
    while central != -1:
        name_length = int.from_bytes(data[central + 28:central + 30], "little")
        if data[central + 46:central + 46 + name_length] == name:
            extra = central + 46 + name_length
            if int.from_bytes(data[extra:extra + 2], "little") == 1:  # the ZIP64 extra field: size first
                data[extra + 4:extra + 12] = (4096).to_bytes(8, "little")
            else:
                data[central + 24:central + 28] = (4096).to_bytes(4, "little")
            break
        central = data.rfind(b"PK\x01\x02", 0, central)
    return bytes(data)


def docx_billion_laughs(levels: int = 10) -> bytes:
    """document.xml declares nested entities: 10 levels of 10 references expand to 10**10 "lol"s (30 GB)."""
    parts = _docx_parts()
    xml = parts["word/document.xml"]
    entities = [b'<!ENTITY lol0 "lol">'] + [
        b'<!ENTITY lol%d "%s">' % (n, b"".join(b"&lol%d;" % (n - 1) for _ in range(10))) for n in range(1, levels)]
    doctype = b"<!DOCTYPE w:document [" + b"".join(entities) + b"]>"
    declaration_end = xml.index(b"?>") + 2
    body = xml.index(b"<w:t>") + len(b"<w:t>")
    parts["word/document.xml"] = (xml[:declaration_end] + doctype + xml[declaration_end:body]
                                  + b"&lol%d;" % (levels - 1) + xml[body:])
    return _docx(parts)


def html_claiming_pdf() -> bytes:
    """What a storage proxy's error page looks like when it is saved as `signed.pdf`."""
    return b"<!DOCTYPE html><html><body><h1>403 Forbidden</h1><p>This Agreement is governed by Texas law.</p>"


def workbook_claiming_docx() -> bytes:
    """A ZIP-based Office file that is a spreadsheet, not a Word document."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                         'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return out.getvalue()


def contract_pdf(pages: int = 3) -> bytes:
    """An ordinary text PDF: what a readable signed copy looks like (the control among the hostile ones)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    for number in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(0, 6, f"Section {number}. This Agreement is governed by the laws of the State of Texas. "
                             "Payment is due within thirty (30) days of each invoice. " * 6)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    """A readable contract locked with a user password: nothing can be read without it."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(contract_pdf(1))))
    writer.encrypt(user_password="s3cret", owner_password="owner", algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_only_pdf() -> bytes:
    """A page with a drawing and no text layer, as a scan without OCR is."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    return bytes(pdf.output())


def truncated_pdf() -> bytes:
    """A readable contract cut off halfway, as an interrupted upload leaves it: no xref, streams end early."""
    data = contract_pdf(3)
    return data[:len(data) // 2]
