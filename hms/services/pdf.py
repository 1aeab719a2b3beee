"""The hospital's PDF documents, drawn with fpdf2: the letterhead page, tables and the receipt
(the final bill's layout is in services/bill_pdf.py).

DejaVu Sans is embedded so that any Latin, Greek or Cyrillic name and the rupee sign print
as typed. The output depends only on the document given (its creation date is the
discharge or payment time), so rendering the same bill twice gives the same bytes.

The fonts are parsed once per process (services/pdf_fonts.py). Tables are drawn cell by
cell (grid): fpdf2's table() measured and broke every cell's text into lines, and took
most of the time of a long bill.
"""

import dataclasses
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import MethodReturnValue, XPos, YPos

from hms.services.clock import MOMENT_FORMAT
from hms.services.documents import FinalBill, Letterhead, Receipt
from hms.services.pdf_fonts import add_fonts
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
Style = tuple[str, tuple[int, int, int]]  # emphasis ("" or "B") and colour of text
Lines = list[tuple[str, float]]  # a cell's text as lines, each with its width
HEADING: Style = ("B", INK)  # a table's heading row


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


def printed_text(value) -> str:
    """Every string a document holds, in its own fields and in those of its lists of lines."""
    if isinstance(value, str):
        return value
    if dataclasses.is_dataclass(value):
        fields = dataclasses.fields(value)
        return "".join(printed_text(getattr(value, field.name)) for field in fields)
    if isinstance(value, list):
        return "".join(map(printed_text, value))
    return ""


def when(moment: datetime) -> str:
    """A date and time as printed: 05 Mar 2026, 14:30."""
    return moment.strftime(MOMENT_FORMAT)


@dataclass(frozen=True)
class Column:
    """A table column: its share of the width, heading, alignment ("L" or "R") and text style."""

    share: float
    heading: str = ""
    align: str = "L"
    emphasis: str = ""
    color: tuple[int, int, int] = INK

    @property
    def style(self) -> Style:
        """The emphasis and colour of its text."""
        return self.emphasis, self.color


@dataclass(frozen=True)
class Grid:
    """How a table is drawn: its columns, the height of a line of text, the space above and
    below the text of each row, and whether a rule is drawn under each row."""

    columns: tuple[Column, ...]
    line_height: float = 5
    padding: float = 1
    rules: bool = True

    @property
    def headings(self) -> list[str]:
        """The headings of the columns."""
        return [column.heading for column in self.columns]

    @property
    def headed(self) -> bool:
        """Whether the table has a heading row."""
        return any(self.headings)


LABEL, VALUE = Column(22, color=MUTED), Column(38, emphasis="B")  # muted label, bold value
FACTS = Grid((LABEL, VALUE, LABEL, VALUE), padding=0.8, rules=False)
RECEIPT_DETAILS = Grid(
    (Column(35, color=MUTED), Column(65, emphasis="B")), line_height=6, padding=0.8
)


class HospitalDocument(FPDF):
    """An A4 (or A5) page with the hospital's letterhead on top and "Page n/N" at the bottom."""

    def __init__(
        self,
        letterhead: Letterhead,
        title: str,
        reference: str,
        footer: str,
        created: datetime,
        content: Receipt | FinalBill,
        page_format: str | tuple[float, float] = "A4",
    ):
        """`content` is what the page prints: the fonts embedded have all its characters."""
        super().__init__(format=page_format)
        self.letterhead, self.title_text = letterhead, title
        self.reference, self.footer_text = reference, footer
        add_fonts(self, FONT, font_paths(), printed_text(content) + self.money(Decimal(0)))
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

    def keep_together(self, height: float) -> None:
        """Start a new page unless `height` millimetres still fit on this one."""
        if self.will_page_break(height):
            self.add_page()

    @contextmanager
    def measuring(self) -> Iterator[None]:
        """Within, fpdf2's dry runs measure text without breaking the page (page breaks are
        off), so that the document is the same as if nothing had been measured."""
        self.set_auto_page_break(False, self.b_margin)
        try:
            yield
        finally:
            self.set_auto_page_break(True, self.b_margin)

    def section(self, title: str) -> None:
        """A bold section heading, kept with at least a few lines of what follows."""
        self.keep_together(22)
        self.ln(3)
        self.set_font(FONT, "B", 11)
        self.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 9)

    def text_width(self, text: str) -> float:
        """The width of plain text in the current font, as get_string_width() measures it
        (without markdown, character spacing or stretching, none of which is used here)
        but at a sixth of the cost: it builds no styled fragments."""
        return self.current_font.get_text_width(text, self.font_size_pt, None)[1] / self.k

    def lines(self, text: str, width: float, line_height: float) -> Lines:
        """The text broken into lines that fit `width` (inside the cell margins) in the
        current font, each with its width; only text too wide for one line goes through
        fpdf2's line breaking."""
        measured = self.text_width(text)
        if "\n" not in text and measured <= width - 2 * self.c_margin:
            return [(text, measured)]
        with self.measuring():
            lines = self.multi_cell(
                width, line_height, text, dry_run=True, output=MethodReturnValue.LINES
            )
        return [(line, self.text_width(line)) for line in lines]

    def grid(self, grid: Grid, rows: Iterable[Sequence[str]]) -> None:
        """A table in the current font size, drawn cell by cell: a shaded heading row,
        repeated on each page the table runs onto; text too wide for its column wrapped;
        each row kept on one page."""
        scale = self.epw / sum(column.share for column in grid.columns)
        widths = [column.share * scale for column in grid.columns]
        if grid.headed:
            self._grid_row(grid, widths, grid.headings, True)
        for row in rows:
            self._grid_row(grid, widths, row, False)
        self._style("", INK)

    def _grid_row(self, grid: Grid, widths: list[float], row: Sequence[str], heading: bool):
        """One row of a table, on a new page (below the table's heading) if it does not fit;
        the heading row only where a row of one line fits under it."""
        styles = [HEADING if heading else column.style for column in grid.columns]
        cells = []
        for (emphasis, _), width, text in zip(styles, widths, row, strict=True):
            self._style(emphasis)
            cells.append(self.lines(text, width, grid.line_height))
        height = max(map(len, cells)) * grid.line_height + 2 * grid.padding
        if self.will_page_break(height * 2 if heading else height):
            self.add_page()
            if grid.headed and not heading:
                self._grid_row(grid, widths, grid.headings, True)
        top, right = self.y, self.l_margin + sum(widths)
        if heading:
            self.set_fill_color(*SHADE)
            self.rect(self.l_margin, top, right - self.l_margin, height, style="F")
        self._draw_cells(grid, widths, styles, cells, height)
        if grid.rules or heading:
            self.set_draw_color(*(MUTED if heading else RULE))
            self.line(self.l_margin, top + height, right, top + height)
            self.set_draw_color(*RULE)
        self.set_xy(self.l_margin, top + height)

    def _draw_cells(
        self,
        grid: Grid,
        widths: list[float],
        styles: list[Style],
        cells: list[Lines],
        height: float,
    ) -> None:
        """The measured lines of one row's cells, each cell centred vertically in the row."""
        x, style = self.l_margin, None
        baseline = grid.line_height / 2 + 0.3 * self.font_size  # where fpdf2's cell() puts it
        for column, width, cell_style, lines in zip(
            grid.columns, widths, styles, cells, strict=True
        ):
            if cell_style != style:
                style = cell_style
                self._style(*style)
            y = self.y + (height - len(lines) * grid.line_height) / 2 + baseline
            for line, line_width in lines:
                right_aligned = column.align == "R"
                indent = width - self.c_margin - line_width if right_aligned else self.c_margin
                self.text(x + indent, y, line)
                y += grid.line_height
            x += width

    def _style(self, emphasis: str, color: tuple[int, int, int] | None = None) -> None:
        """Bold ("B") or regular text of the current font and size, in this colour if given."""
        if emphasis != self.font_style:
            self.set_font(style=emphasis)
        if color:
            self.set_text_color(*color)

    def facts(self, rows: list[tuple[str, str, str, str]]) -> None:
        """Two columns of label and value pairs, without borders."""
        self.set_font(FONT, "", 9)
        self.grid(FACTS, rows)


def render_receipt(receipt: Receipt) -> bytes:
    """A small (A5) payment receipt as PDF bytes."""
    pdf = HospitalDocument(
        receipt.letterhead,
        "RECEIPT",
        f"No. {receipt.receipt}",
        f"{receipt.patient_name} · Patient ID {receipt.patient_number}",
        receipt.taken_at,
        receipt,
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
    pdf.set_font(FONT, "", 9.5)
    pdf.grid(
        RECEIPT_DETAILS,
        [
            ("Receipt number", receipt.receipt),
            ("Date", when(receipt.taken_at)),
            ("Method", receipt.method),
            ("Reference", receipt.reference or "—"),
            ("Bill number", receipt.bill_number),
            ("Department", receipt.department),
            ("Received by", receipt.taken_by),
        ],
    )
    return bytes(pdf.output())
