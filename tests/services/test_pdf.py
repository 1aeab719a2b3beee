"""The final bill and receipt PDFs: every field SPEC lists, pages, Unicode, the same bytes."""

import io
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from fpdf import FPDF
from pypdf import PdfReader

from hms.models import Bill, BillItem, Payment
from hms.services import bill_pdf, documents, pdf, pdf_fonts
from tests.register import support

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "pdf"
ADMITTED = datetime(2026, 3, 2, 8, 15, tzinfo=UTC)  # 13:45 in Kolkata
DISCHARGED = datetime(2026, 3, 5, 9, 30, tzinfo=UTC)  # 15:00 in Kolkata
NAME = "Zoë Ñúñez-Łukasz"


def pages_text(data: bytes) -> list[str]:
    """The text of each page, runs of whitespace folded to one space."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def render_png(data: bytes, name: str) -> list[Path]:
    """Render the PDF with poppler's pdftoppm at 60 dpi into test-artifacts/pdf/ (to look at)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    source = ARTIFACTS / f"{name}.pdf"
    source.write_bytes(data)
    for old in ARTIFACTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", source, ARTIFACTS / name], check=True)
    return sorted(ARTIFACTS.glob(f"{name}-*.png"))


@pytest.fixture
def final(app, session, staff):
    """Zoë admitted for three days, charged, paid in part, discharged with an override."""
    zoe = support.new_patient(
        NAME, "+919876501234", address="Flat 3B, Łódź Residency, 5 Church Street, Bengaluru"
    )
    admission = support.admit(
        session, app, zoe, department="Cardiology", doctor="dr.heart", now=ADMITTED
    )
    support.charge(session, admission.id, "Echocardiogram (2D echo)", 1, "2400.00")
    support.charge(session, admission.id, "ICU bed, per day", 3, "6000.00")
    support.charge(session, admission.id, "Injection — ceftriaxone 1 g", 6, "85.50")
    bill_id = admission.bill.id
    # Charges are stamped "now" by the service; put them inside the stay for the printout.
    session.execute(
        sa.update(BillItem).where(BillItem.bill_id == bill_id).values(added_at=ADMITTED)
    )
    session.commit()
    support.pay(session, bill_id, "10000.00", method="card", reference="HDFC 4471", now=ADMITTED)
    support.pay(session, bill_id, "5000", method="upi", now=DISCHARGED)
    support.discharge(
        session,
        app,
        admission.id,
        override_reason="Insurer Star Health settles the rest",
        now=DISCHARGED,
    )
    session.expire_all()
    return session.get(Bill, bill_id)


def test_the_final_bill_prints_every_field_with_its_value(app, final):
    text = " ".join(pages_text(final.final_pdf))
    patient = final.admission.patient
    receipts = sorted(p.receipt for p in final.payments)
    expected = [
        app.config["HMS_HOSPITAL_NAME"],
        app.config["HMS_HOSPITAL_ADDRESS"],
        "FINAL BILL",
        f"Bill {final.number}",
        f"Patient ID {patient.patient_number}",
        f"Patient {NAME}",
        "Phone +91 98765 01234",
        "Address Flat 3B, Łódź Residency, 5 Church Street, Bengaluru",
        "Department Cardiology",
        "Attending doctor Dr. Hema Heart",
        "Admitted 02 Mar 2026, 13:45",
        "Discharged 05 Mar 2026, 15:00",
        "Length of stay 3 days",
        # every line: number, description, quantity, unit price, amount
        "Admission fee 1 ₹500.00 ₹500.00",
        "Echocardiogram (2D echo) 1 ₹2,400.00 ₹2,400.00",
        "ICU bed, per day 3 ₹6,000.00 ₹18,000.00",
        "Injection — ceftriaxone 1 g 6 ₹85.50 ₹513.00",
        # every payment with its receipt number
        f"{receipts[0]} 02 Mar 2026, 13:45 Card HDFC 4471 Ravi Register ₹10,000.00",
        f"{receipts[1]} 05 Mar 2026, 15:00 UPI — Ravi Register ₹5,000.00",
        "Total ₹21,413.00",
        "Paid ₹15,000.00",
        "Balance ₹6,413.00",
        "Discharged with a balance of ₹6,413.00 outstanding (override by Ravi Register)",
        "Reason: Insurer Star Health settles the rest",
        "Page 1/1",
    ]
    missing = [field for field in expected if field not in text]
    assert missing == [], text


def test_the_stored_bill_is_what_rendering_it_again_gives(app, session, final):
    """Deterministic output (creation date = discharge time): same data, same bytes."""
    again = bill_pdf.render_final_bill(
        documents.final_bill(session, final, support.letterhead(app))
    )
    assert again == final.final_pdf
    assert PdfReader(io.BytesIO(again)).metadata.creation_date == DISCHARGED


def test_unicode_names_and_the_rupee_sign_print(final):
    """Text extraction finds them; the PNG in test-artifacts/pdf/ is for a person to look at."""
    [page] = pages_text(final.final_pdf)
    assert NAME in page and "Łódź" in page and "—" in page
    assert page.count("₹") >= 14
    fonts = {
        str(font["/BaseFont"])
        for p in PdfReader(io.BytesIO(final.final_pdf)).pages
        for font in p["/Resources"]["/Font"].values()
    }
    assert all("DejaVuSans" in font for font in fonts), fonts  # embedded, no core font
    [png] = render_png(final.final_pdf, "final-bill")
    assert png.stat().st_size > 10_000


def a_bill(app, lines: list[documents.BillLine]) -> documents.FinalBill:
    """A final bill of these lines for NAME, with nothing paid."""
    return documents.FinalBill(
        letterhead=documents.Letterhead.from_config(app.config),
        bill_number="B0000042",
        patient_number="20260302001",
        patient_name=NAME,
        phone="+91 98765 01234",
        address="5 Church Street, Bengaluru",
        department="General Medicine",
        doctor="Dr. Gregory House",
        admitted_at=ADMITTED,
        discharged_at=DISCHARGED,
        length_of_stay_days=3,
        discharged_by="Ravi Register",
        lines=lines,
        payments=[],
        total=sum(line.amount for line in lines),
        paid=Decimal("0"),
        override_reason=None,
    )


def a_line(description: str, quantity: int = 1) -> documents.BillLine:
    """A charge at ₹99.50 each."""
    return documents.BillLine(
        added_at=DISCHARGED,
        description=description,
        quantity=quantity,
        unit_price=Decimal("99.50"),
        amount=Decimal("99.50") * quantity,
    )


def test_a_bill_of_200_items_runs_over_pages_with_header_and_page_numbers(app):
    lines = [
        a_line(
            f"Item {n:03d}: " + ("laboratory test with a long description " * (n % 3)),
            1 + n % 4,
        )
        for n in range(1, 201)
    ]
    bill = a_bill(app, lines)
    pages = pages_text(bill_pdf.render_final_bill(bill))
    count = len(pages)
    assert count >= 5
    for number, text in enumerate(pages, start=1):
        assert app.config["HMS_HOSPITAL_NAME"] in text
        assert "FINAL BILL" in text and "Bill B0000042" in text
        assert f"Page {number}/{count}" in text
        assert f"{NAME} · Patient ID 20260302001" in text
        assert "Description" in text  # the table heading is repeated on every page
    everything = " ".join(pages)
    assert all(f"Item {n:03d}" in everything for n in range(1, 201))
    assert f"Total {support_money(bill.total)}" in pages[-1]
    shorter = lines[:60]  # three pages to look at
    total = sum(line.amount for line in shorter)
    render_png(
        bill_pdf.render_final_bill(replace(bill, lines=shorter, total=total)), "final-bill-long"
    )


def support_money(amount: Decimal) -> str:
    return f"₹{amount:,.2f}"


def test_descriptions_of_the_longest_kind_wrap_inside_their_column(app):
    longest = BillItem.description.type.length
    words = ("Physiotherapy and wound dressing, Łódź clinic; " * 5)[:longest]
    unbroken = "X" * longest
    bill = a_bill(app, [a_line(words), a_line(unbroken, 2)])
    document = pdf.HospitalDocument(bill.letterhead, "T", "R", "F", DISCHARGED, bill)
    document.add_page()
    document.set_font(pdf.FONT, "", 9)
    for text in (words, unbroken):
        lines = document.lines(text, 60, 5)
        assert len(lines) > 1
        assert all(width <= 60 - 2 * document.c_margin for _, width in lines)
        assert "".join(line for line, _ in lines).replace(" ", "") == text.replace(" ", "")
    data = bill_pdf.render_final_bill(bill)
    [page] = pages_text(data)
    assert all(word in page for word in words.split())
    assert "1 ₹99.50 ₹99.50" in page and "2 ₹99.50 ₹199.00" in page
    render_png(data, "final-bill-wrapped")


def test_text_width_is_what_get_string_width_measures(app):
    """HospitalDocument.text_width() takes a shortcut through fpdf2's font metrics."""
    bill = a_bill(app, [a_line("Echocardiogram")])
    document = pdf.HospitalDocument(bill.letterhead, "T", "R", "F", DISCHARGED, bill)
    document.add_page()
    for style in ("", "B"):
        document.set_font(pdf.FONT, style, 9)
        for text in (NAME, "₹12,345.00", "Injection — ceftriaxone 1 g"):
            assert document.text_width(text) == pytest.approx(document.get_string_width(text))


def test_a_document_does_not_depend_on_those_drawn_before_it(app, caplog):
    """Fonts are parsed once per process; each document still embeds only its own
    characters: in the compact cut of the font (Greek, Cyrillic) or beyond it (Armenian)."""
    latin = a_bill(app, [a_line("Echocardiogram")])
    bills = [
        latin,
        replace(latin, lines=[a_line("Ηλεκτροκαρδιογράφημα — ЭКГ")]),
        replace(latin, patient_name="Արամ Պետրոսյան"),
    ]
    drawn = [bill_pdf.render_final_bill(bill) for bill in bills]
    pdf_fonts.font_file.cache_clear()  # as in a new process, drawing them the other way round
    assert [bill_pdf.render_final_bill(bill) for bill in reversed(bills)] == drawn[::-1]
    assert "Ηλεκτροκαρδιογράφημα — ЭКГ" in pages_text(drawn[1])[0]
    assert "Արամ Պետրոսյան" in pages_text(drawn[2])[0]
    assert not [r for r in caplog.records if "missing the following glyphs" in r.getMessage()]


def test_the_receipt_pdf(app, session, final):
    payment = session.query(Payment).filter_by(method="card").one()
    data = pdf.render_receipt(documents.receipt(payment, support.letterhead(app)))
    [text] = pages_text(data)
    for field in [
        "RECEIPT",
        f"No. {payment.receipt}",
        f"Received with thanks from {NAME}",
        final.admission.patient.patient_number,
        f"against bill {final.number}",
        "₹10,000.00",
        "Method Card",
        "Reference HDFC 4471",
        "Department Cardiology",
        "Received by Ravi Register",
        "Date 02 Mar 2026, 13:45",
        "Page 1/1",
    ]:
        assert field in text, (field, text)
    assert re.search(r"/MediaBox \[0 0 419\.53 595\.28\]", data.decode("latin-1"))  # A5
    render_png(data, "receipt")


def test_a_document_gets_the_smallest_cut_of_the_font_that_has_its_text():
    def glyphs_for(text: str) -> int:
        document = FPDF()
        pdf_fonts.add_fonts(document, pdf.FONT, pdf.font_paths(), text)
        return len(next(iter(document.fonts.values())).cmap)

    latin = glyphs_for("Zoë Łukasz-Núñez, ₹1,234.50 — ½ dose")
    greek = glyphs_for("Zoë Ηλεκτροκαρδιογράφημα")
    armenian = glyphs_for("Zoë Արամ")
    assert latin < greek < armenian


def test_the_embedded_fonts_are_outlines_and_metrics_without_hinting(app, session, final):
    """Each embedded font is a subset with its outlines, widths and names but without the
    TrueType hinting (its programs and control values), which no PDF viewer needs."""
    from fontTools.ttLib import TTFont

    data = bill_pdf.render_final_bill(documents.final_bill(session, final, support.letterhead(app)))
    fonts = PdfReader(io.BytesIO(data)).pages[0]["/Resources"]["/Font"]
    embedded = []
    for font in fonts.values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        embedded.append(TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data())))
    assert len(embedded) == 2  # regular and bold
    for font in embedded:
        assert {"glyf", "hmtx", "cmap", "post"} <= set(font.keys())
        assert not {"fpgm", "prep", "cvt "} & set(font.keys())
        assert 50 < font["maxp"].numGlyphs < 200  # what the bill prints, not the whole cut
        assert not any(
            font["glyf"][name].program.getBytecode()
            for name in font.getGlyphOrder()
            if font["glyf"][name].numberOfContours > 0
        )
