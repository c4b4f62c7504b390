"""The executed contract as a real PDF: the template body with values filled in, the negotiated terms as their
own section, and a signature block. Uses DejaVu Sans when the system has it (any script), else Helvetica."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fpdf import FPDF

from playbook_store.templates import ContractTemplate
from sandbox.ironclad.formatting import human_date, human_value

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}")
_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"),
              Path("/Library/Fonts"), Path("C:/Windows/Fonts"))
NEGOTIATED = "negotiatedClauses"


def fill_body(template: ContractTemplate, attributes: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(
        lambda m: human_value(template.attributes.get(m.group(1)), attributes.get(m.group(1))) or "[not provided]",
        template.body)


class _Document(FPDF):
    def __init__(self, footer_text: str) -> None:
        super().__init__(format="Letter")
        self.footer_text = footer_text
        self.font_family_name = self._choose_font()

    def _choose_font(self) -> str:
        for directory in _FONT_DIRS:
            regular, bold = directory / "DejaVuSans.ttf", directory / "DejaVuSans-Bold.ttf"
            if regular.exists() and bold.exists():
                self.add_font("DejaVu", "", str(regular))
                self.add_font("DejaVu", "B", str(bold))
                return "DejaVu"
        return "Helvetica"

    def text_safe(self, text: str) -> str:
        if self.font_family_name == "DejaVu":
            return text
        return text.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font(self.font_family_name, "", 8)
        self.cell(0, 10, self.text_safe(f"{self.footer_text}  |  page {self.page_no()}"), align="C")


def render_executed_pdf(template: ContractTemplate, workflow: dict[str, Any], signers: list[dict[str, Any]]) -> bytes:
    """`signers`: `[{name, email, roleName, title?, signedAt}]` in signing order."""
    attributes = workflow["attributes"]
    doc = _Document(f"Executed via Ironclad workflow {workflow['ironcladId']} ({workflow['id']})")
    doc.set_title(workflow["title"])
    doc.set_author("Ironclad sandbox")
    doc.set_auto_page_break(auto=True, margin=20)
    doc.add_page()
    font = doc.font_family_name

    body = fill_body(template, attributes).strip()
    first, _, rest = body.partition("\n")
    if first.strip().casefold() == template.name.casefold():
        body = rest.strip()  # the body opens with the title: print it once, as the heading
    doc.set_font(font, "B", 15)
    doc.multi_cell(0, 8, doc.text_safe(template.name.upper()), align="C", new_x="LMARGIN", new_y="NEXT")
    doc.ln(4)
    doc.set_font(font, "", 10.5)
    doc.multi_cell(0, 5.5, doc.text_safe(body), new_x="LMARGIN", new_y="NEXT")

    negotiated = str(attributes.get(NEGOTIATED) or "").strip()
    if negotiated and NEGOTIATED not in template.placeholders():
        doc.ln(4)
        doc.set_font(font, "B", 12)
        doc.cell(0, 7, "NEGOTIATED SPECIAL TERMS", new_x="LMARGIN", new_y="NEXT")
        doc.set_font(font, "", 10.5)
        doc.multi_cell(0, 5.5, doc.text_safe(negotiated), new_x="LMARGIN", new_y="NEXT")

    doc.ln(8)
    doc.set_font(font, "B", 12)
    doc.cell(0, 7, "SIGNATURES", new_x="LMARGIN", new_y="NEXT")
    doc.set_font(font, "", 10.5)
    for signer in signers:
        doc.ln(2)
        lines = [
            f"{signer['roleName']}",
            f"By: /s/ {signer['name']}",
            f"Name: {signer['name']}" + (f", {signer['title']}" if signer.get("title") else ""),
            f"Email: {signer['email']}",
            f"Date: {human_date(signer['signedAt'])}",
        ]
        doc.multi_cell(0, 5.5, doc.text_safe("\n".join(lines)), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
