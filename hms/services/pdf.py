"""The hospital's PDF documents, drawn with fpdf2: the letterhead page and the receipt
(the final bill's layout is in services/bill_pdf.py).

DejaVu Sans is embedded so that any Latin, Greek or Cyrillic name and the rupee sign print
as typed. The output depends only on the document given (its creation date is the
discharge or payment time), so rendering the same bill twice gives the same bytes.
"""

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from hms.services.documents import Letterhead, Receipt
from hms.web import format_money

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}
FONT = "DejaVu"
A5 = (148, 210)  # millimetres; fpdf2 2.8 warns on the name "A5" (its size changed in 2.8.5)

INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (13, 110, 253)
RULE = (206, 212, 218)
SHADE = (241, 243, 245)
HEADINGS = FontFace(emphasis="BOLD", fill_color=SHADE)


class PdfUnavailable(RuntimeError):
    """The PDF cannot be drawn on this host (its font is not installed)."""


def font_paths() -> dict[str, Path]:
    """The font files by style; raise PdfUnavailable naming the package when one is missing."""
    paths = {style: FONT_DIR / name for style, name in FONT_FILES.items()}
    missing = [str(path) for path in paths.values() if not path.is_file()]
    if missing:
        raise PdfUnavailable(
            f"Cannot draw PDFs: font file {', '.join(missing)} is missing. "
            "Install the DejaVu fonts (Debian package fonts-dejavu-core)."
        )
    return paths


def when(moment: datetime) -> str:
    """A date and time as printed: 05 Mar 2026, 14:30."""
    return moment.strftime("%d %b %Y, %H:%M")


class HospitalDocument(FPDF):
    """An A4 (or A5) page with the hospital's letterhead on top and "Page n/N" at the bottom."""

    def __init__(
        self,
        letterhead: Letterhead,
        title: str,
        reference: str,
        footer: str,
        created: datetime,
        page_format: str | tuple[float, float] = "A4",
    ):
        super().__init__(format=page_format)
        self.letterhead, self.title_text = letterhead, title
        self.reference, self.footer_text = reference, footer
        for style, path in font_paths().items():
            self.add_font(FONT, style, str(path))
        self.set_creation_date(created)
        self.set_title(f"{title.title()} {reference}")
        self.set_author(letterhead.name)
        self.set_creator("HMS")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=20)
        self.set_text_color(*INK)

    def money(self, amount: Decimal) -> str:
        """An amount with the hospital's currency sign."""
        return format_money(amount, self.letterhead.currency)

    def header(self):
        """Hospital name and address on the left, document title and number on the right."""
        top = self.t_margin
        self.set_xy(self.l_margin, top)
        self.set_font(FONT, "B", 15)
        self.set_text_color(*ACCENT)
        self.multi_cell(self.epw * 0.6, 7, self.letterhead.name, align="L", new_x=XPos.LMARGIN)
        self.set_font(FONT, "", 8.5)
        self.set_text_color(*MUTED)
        self.multi_cell(self.epw * 0.6, 4.2, self.letterhead.address, align="L", new_x=XPos.LMARGIN)
        bottom = self.get_y()
        self.set_xy(self.l_margin + self.epw * 0.6, top)
        self.set_font(FONT, "B", 13)
        self.set_text_color(*INK)
        self.cell(self.epw * 0.4, 7, self.title_text, align="R", new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9.5)
        self.cell(self.epw * 0.4, 5, self.reference, align="R")
        y = max(bottom, top + 12) + 2.5
        self.set_draw_color(*ACCENT)
        self.set_line_width(0.6)
        self.line(self.l_margin, y, self.w - self.r_margin, y)
        self.set_text_color(*INK)
        self.set_line_width(0.2)
        self.set_draw_color(*RULE)
        self.set_y(y + 5)

    def footer(self):
        """Patient line on the left, "Page n/N" on the right."""
        self.set_y(-13)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
        self.set_font(FONT, "", 8)
        self.set_text_color(*MUTED)
        self.cell(self.epw * 0.75, 6, self.footer_text)
        self.cell(self.epw * 0.25, 6, f"Page {self.page_no()}/{{nb}}", align="R")
        self.set_text_color(*INK)

    def section(self, title: str) -> None:
        """A bold section heading, kept with at least a few lines of what follows."""
        if self.will_page_break(22):
            self.add_page()
        self.ln(3)
        self.set_font(FONT, "B", 11)
        self.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)

    def facts(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Two columns of label and value pairs, without borders."""
        self.set_font(FONT, "", 9)
        with self.table(
            borders_layout="NONE",
            first_row_as_headings=False,
            col_widths=(22, 38, 22, 38),
            text_align=("LEFT", "LEFT", "LEFT", "LEFT"),
            line_height=5,
            padding=(0.8, 1),
        ) as table:
            for label, value, label2, value2 in rows:
                row = table.row()
                row.cell(label, style=FontFace(color=MUTED))
                row.cell(value, style=FontFace(emphasis="BOLD"))
                row.cell(label2, style=FontFace(color=MUTED))
                row.cell(value2, style=FontFace(emphasis="BOLD"))


def render_receipt(receipt: Receipt) -> bytes:
    """A small (A5) payment receipt as PDF bytes."""
    pdf = HospitalDocument(
        receipt.letterhead,
        "RECEIPT",
        f"No. {receipt.receipt}",
        f"{receipt.patient_name} · Patient ID {receipt.patient_number}",
        receipt.taken_at,
        page_format=A5,
    )
    pdf.set_subject(f"Payment receipt {receipt.receipt}")
    pdf.add_page()
    pdf.set_font(FONT, "", 10)
    pdf.multi_cell(
        0,
        5.5,
        f"Received with thanks from {receipt.patient_name} (patient ID "
        f"{receipt.patient_number}) against bill {receipt.bill_number}:",
        align="L",
        new_x=XPos.LMARGIN,
    )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 20)
    pdf.cell(0, 12, pdf.money(receipt.amount), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    with pdf.table(
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=False,
        col_widths=(35, 65),
        text_align=("LEFT", "LEFT"),
        line_height=6,
        padding=(0.8, 1),
    ) as table:
        pdf.set_font(FONT, "", 9.5)
        for label, value in [
            ("Receipt number", receipt.receipt),
            ("Date", when(receipt.taken_at)),
            ("Method", receipt.method),
            ("Reference", receipt.reference or "—"),
            ("Bill number", receipt.bill_number),
            ("Department", receipt.department),
            ("Received by", receipt.taken_by),
        ]:
            row = table.row()
            row.cell(label, style=FontFace(color=MUTED))
            row.cell(value, style=FontFace(emphasis="BOLD"))
    return bytes(pdf.output())
