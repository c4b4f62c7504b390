"""The audit packet: one PDF that shows, for an executed contract, what was signed (the executed PDF's SHA-256),
which required clauses it states (verbatim quotes with pages) or lacks, who approved it, and the risks seen.

Rendered with fpdf2 in DejaVu Sans (tools/fonts, Bitstream Vera licence), embedded and subset, so names and
quotes outside Latin-1 print as written; a character the font has no glyph for (CJK, emoji) prints as U+FFFD.
The same packet always gives the same bytes: the PDF's creation date is the packet's `generated_at`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Literal

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import TTFFont
from pydantic import AwareDatetime, Field

from core.state_model import StateModel

FONT_DIR = Path(__file__).with_name("fonts")
_FONTS = {"": FONT_DIR / "DejaVuSans.ttf", "B": FONT_DIR / "DejaVuSans-Bold.ttf"}
_FAMILY = "dejavu"
REPLACEMENT = "\ufffd"
_LABEL_WIDTH = 40.0  # mm: the label column of the summary
_LINE = 5.0  # mm per line of body text

PacketSeverity = Literal["low", "medium", "high"]


class PacketAttestation(StateModel):
    clause: str = Field(min_length=1)
    quote: str = Field(min_length=1, description="Verbatim from the executed contract.")
    page: int = Field(ge=1)


class PacketMissing(StateModel):
    clause: str = Field(min_length=1)
    message: str = Field(description="e.g. 'Healthcare deal: no Business Associate Agreement (BAA) found'.")


class ApprovalEntry(StateModel):
    who: str = Field(min_length=1)
    role: str | None = None
    decision: str = Field(min_length=1, description="approve, edit, reject, approved...")
    when: AwareDatetime | None = None
    comment: str | None = None
    source: str = Field(min_length=1, description="Where the entry was read: 'run log', 'Ironclad approvals'.")


class PacketRisk(StateModel):
    title: str = Field(min_length=1)
    severity: PacketSeverity
    detail: str = ""


class AuditPacket(StateModel):
    opportunity_id: str = Field(min_length=15, max_length=18)
    opportunity_name: str
    account_name: str
    workflow_id: str = Field(min_length=1)
    workflow_link: str | None = None
    executed_pdf_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    executed_pdf_name: str = Field(min_length=1)
    attestations: list[PacketAttestation] = Field(default_factory=list)
    missing: list[PacketMissing] = Field(default_factory=list)
    approvals: list[ApprovalEntry] = Field(default_factory=list)
    risks: list[PacketRisk] = Field(default_factory=list)
    correlation_id: str = Field(min_length=8)
    generated_at: AwareDatetime
    trail: list[str] = Field(default_factory=list, description="The deal's audit trail entries, one line each "
                                                               "(`contractloop audit show`); empty = not shown.")


@lru_cache(maxsize=1)
def _printable_codepoints() -> frozenset[int]:
    """Characters both the regular and the bold font can draw."""
    pdf = FPDF()
    _add_fonts(pdf)
    drawable: set[int] | None = None
    for style in _FONTS:
        font = pdf.fonts[_FAMILY + style]
        assert isinstance(font, TTFFont)
        covered = set(font.ttfont.getBestCmap())
        drawable = covered if drawable is None else drawable & covered
    return frozenset(drawable or ())


def _add_fonts(pdf: FPDF) -> None:
    for style, path in _FONTS.items():
        pdf.add_font(_FAMILY, style, str(path))


def printable(text: str) -> str:
    """`text` as the packet prints it: line breaks kept, other control characters as spaces, characters
    without a glyph as U+FFFD (so nothing is dropped silently)."""
    drawable = _printable_codepoints()
    out = []
    for char in text.replace("\r\n", "\n").replace("\r", "\n"):
        if char == "\n":
            out.append(char)
        elif char.isspace() or ord(char) < 32 or 0x7F <= ord(char) < 0xA0:
            out.append(" ")
        else:
            out.append(char if ord(char) in drawable else REPLACEMENT)
    return "".join(out)


def _when(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "time not recorded"


class _PacketPDF(FPDF):
    def __init__(self, packet: AuditPacket) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.packet = packet

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(_FAMILY, size=7.5)
        self.cell(0, 4, printable(f"Correlation id {self.packet.correlation_id}  ·  page {self.page_no()} of "
                                  f"{{nb}}"), align="C")


def render_audit_packet(packet: AuditPacket) -> bytes:
    pdf = _PacketPDF(packet)
    _add_fonts(pdf)
    # Metadata from the packet only: identical packets give identical bytes.
    pdf.set_creation_date(packet.generated_at)
    pdf.set_title(printable(f"Audit packet: {packet.opportunity_name}"))
    pdf.set_author("contractloop")
    pdf.set_subject(printable(f"Executed contract {packet.executed_pdf_name} ({packet.workflow_id})"))
    pdf.set_creator("contractloop")
    pdf.set_lang("en")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()

    pdf.set_font(_FAMILY, "B", 16)
    pdf.multi_cell(0, 8, "Contract audit packet", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    _summary(pdf, packet)
    _compliance(pdf, packet)
    _approvals(pdf, packet)
    _risks(pdf, packet)
    _trail(pdf, packet)
    return bytes(pdf.output())


def _heading(pdf: FPDF, title: str) -> None:
    pdf.ln(4)
    pdf.set_font(_FAMILY, "B", 12)
    pdf.multi_cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_draw_color(160, 160, 160)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.5)


def _text(pdf: FPDF, text: str, *, bold: bool = False, size: float = 9.5, indent: float = 0.0,
          link: str | None = None) -> None:
    pdf.set_font(_FAMILY, "B" if bold else "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, _LINE, printable(text), align="L", link=link,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _row(pdf: FPDF, label: str, value: str, *, size: float = 9.5, link: str | None = None) -> None:
    pdf.set_font(_FAMILY, "B", 9.5)
    pdf.cell(_LABEL_WIDTH, _LINE, label)
    pdf.set_font(_FAMILY, "", size)
    pdf.multi_cell(pdf.epw - _LABEL_WIDTH, _LINE, printable(value) or "-", align="L", link=link,
                   new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _summary(pdf: FPDF, p: AuditPacket) -> None:
    _row(pdf, "Opportunity", f"{p.opportunity_name} ({p.opportunity_id})")
    _row(pdf, "Account", p.account_name)
    _row(pdf, "Ironclad workflow", p.workflow_id, link=p.workflow_link)
    if p.workflow_link:
        _row(pdf, "Workflow link", p.workflow_link, size=8.5, link=p.workflow_link)
    _row(pdf, "Executed contract", p.executed_pdf_name)
    _row(pdf, "SHA-256", p.executed_pdf_sha256, size=8.5)
    _row(pdf, "Correlation id", p.correlation_id)
    _row(pdf, "Generated", _when(p.generated_at))
    verdict = "all required clauses found" if not p.missing else f"{len(p.missing)} required clause(s) missing"
    _row(pdf, "Compliance", verdict)


def _compliance(pdf: FPDF, p: AuditPacket) -> None:
    _heading(pdf, "Required clauses")
    if not p.attestations and not p.missing:
        _text(pdf, "The deal's profiles require no particular clause.")
    for attestation in p.attestations:
        _text(pdf, f"{attestation.clause}: found on page {attestation.page}", bold=True)
        _text(pdf, f"\u201c{attestation.quote}\u201d", size=9, indent=5)
        pdf.ln(1.5)
    for missing in p.missing:
        _text(pdf, f"{missing.clause}: MISSING", bold=True)
        _text(pdf, missing.message, size=9, indent=5)
        pdf.ln(1.5)


def _approvals(pdf: FPDF, p: AuditPacket) -> None:
    _heading(pdf, "Approval trail")
    if not p.approvals:
        _text(pdf, "No approval was recorded.")
    for entry in sorted(p.approvals, key=lambda e: (e.when is None, e.when or p.generated_at)):
        role = f" ({entry.role})" if entry.role else ""
        _text(pdf, f"{_when(entry.when)}  {entry.who}{role}: {entry.decision}", bold=True)
        if entry.comment:
            _text(pdf, entry.comment, size=9, indent=5)
        _text(pdf, f"Source: {entry.source}", size=8, indent=5)
        pdf.ln(1)


def _risks(pdf: FPDF, p: AuditPacket) -> None:
    _heading(pdf, "Risk findings")
    if not p.risks:
        _text(pdf, "No risk findings.")
    order = {"high": 0, "medium": 1, "low": 2}
    for risk in sorted(p.risks, key=lambda r: order[r.severity]):
        _text(pdf, f"[{risk.severity.upper()}] {risk.title}", bold=True)
        if risk.detail:
            _text(pdf, risk.detail, size=9, indent=5)
        pdf.ln(1)


def _trail(pdf: FPDF, p: AuditPacket) -> None:
    if not p.trail:
        return
    _heading(pdf, "Audit trail (hash-chained; check with `contractloop audit verify`)")
    for line in p.trail:
        _text(pdf, line, size=8)
