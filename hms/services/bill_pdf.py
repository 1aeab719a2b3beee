"""The final bill's layout: patient and stay, every charge, every payment, the totals and
the override note, on as many A4 pages as it takes."""

from fpdf.enums import MethodReturnValue, XPos, YPos

from hms.services.documents import FinalBill
from hms.services.pdf import (
    FONT,
    INK,
    MUTED,
    RULE,
    SHADE,
    Column,
    Grid,
    HospitalDocument,
    when,
)

CHARGES = Grid(
    (
        Column(8, "#", align="R"),
        Column(22, "Date"),
        Column(72, "Description"),
        Column(10, "Qty", align="R"),
        Column(24, "Unit price", align="R"),
        Column(26, "Amount", align="R"),
    )
)
PAYMENTS = Grid(
    (
        Column(22, "Receipt"),
        Column(36, "Date"),
        Column(18, "Method"),
        Column(32, "Reference"),
        Column(30, "Received by"),
        Column(26, "Amount", align="R"),
    )
)


def render_final_bill(bill: FinalBill) -> bytes:
    """The final bill as PDF bytes."""
    pdf = HospitalDocument(
        bill.letterhead,
        "FINAL BILL",
        f"Bill {bill.bill_number}",
        f"{bill.patient_name} · Patient ID {bill.patient_number} · Bill {bill.bill_number}",
        bill.discharged_at,
        bill,
    )
    pdf.set_subject(f"Final bill of {bill.patient_name}, patient ID {bill.patient_number}")
    pdf.add_page()
    stay = f"{bill.length_of_stay_days} day{'s' if bill.length_of_stay_days != 1 else ''}"
    pdf.facts(
        [
            ("Patient", bill.patient_name, "Department", bill.department),
            ("Patient ID", bill.patient_number, "Attending doctor", bill.doctor),
            ("Phone", bill.phone, "Admitted", when(bill.admitted_at)),
            ("Address", bill.address or "—", "Discharged", when(bill.discharged_at)),
            ("Bill number", bill.bill_number, "Length of stay", stay),
        ]
    )
    _charges(pdf, bill)
    _payments(pdf, bill)
    _summary(pdf, bill)
    return bytes(pdf.output())


def _charges(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Every line item, the heading repeated on each page the table runs onto."""
    pdf.section("Charges")
    if not bill.lines:
        pdf.cell(0, 6, "No charges.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.grid(
        CHARGES,
        (
            (
                str(number),
                line.added_at.strftime("%d %b %Y"),
                line.description,
                str(line.quantity),
                pdf.money(line.unit_price),
                pdf.money(line.amount),
            )
            for number, line in enumerate(bill.lines, start=1)
        ),
    )


def _payments(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Every payment with its receipt number."""
    pdf.section("Payments")
    if not bill.payments:
        pdf.cell(0, 6, "No payments received.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    pdf.grid(
        PAYMENTS,
        (
            (
                payment.receipt,
                when(payment.taken_at),
                payment.method,
                payment.reference or "—",
                payment.taken_by,
                pdf.money(payment.amount),
            )
            for payment in bill.payments
        ),
    )


def _summary(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Total, paid and balance on the right; the override note and sign-off below."""
    pdf.ln(4)
    _totals(pdf, bill)
    if bill.override_reason:
        pdf.ln(4)
        _override_note(pdf, bill)
    pdf.ln(6)
    pdf.set_font(FONT, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        4.5,
        f"Discharged by {bill.discharged_by} on {when(bill.discharged_at)}. "
        "This bill was issued at discharge and is final; no charge or payment can be added "
        "to it. Please quote the bill number and patient ID in any correspondence.",
        align="L",
        new_x=XPos.LMARGIN,
    )
    pdf.set_text_color(*INK)


def _totals(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Total and paid, then the balance shaded below a rule, all on one page."""
    rows = [("Total", bill.total), ("Paid", bill.paid), ("Balance", bill.balance)]
    pdf.keep_together(7 * len(rows))
    width, x = 80, pdf.w - pdf.r_margin - 80
    for label, amount in rows:
        last = label == "Balance"
        pdf.set_x(x)
        pdf.set_font(FONT, "B" if last else "", 11 if last else 10)
        if last:
            pdf.set_fill_color(*SHADE)
        pdf.cell(width / 2, 7, label, border="T" if last else 0, fill=last)
        pdf.cell(
            width / 2,
            7,
            pdf.money(amount),
            border="T" if last else 0,
            fill=last,
            align="R",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _override_note(pdf: HospitalDocument, bill: FinalBill) -> None:
    """The balance left open and the reason given, framed in red, all on one page."""
    parts = [
        (
            "B",
            10,
            6,
            f"Discharged with a balance of {pdf.money(bill.balance)} outstanding "
            f"(override by {bill.discharged_by})",
            "LTR",
            (2, 3, 0, 3),
        ),
        ("", 9.5, 5.5, f"Reason: {bill.override_reason}", "LBR", (1, 3, 2, 3)),
    ]
    with pdf.measuring():
        pdf.keep_together(sum(_note_part(pdf, *part, dry_run=True) for part in parts))
    pdf.set_draw_color(220, 53, 69)
    for part in parts:
        _note_part(pdf, *part)
    pdf.set_draw_color(*RULE)


def _note_part(
    pdf: HospitalDocument,
    style: str,
    size: float,
    line_height: float,
    text: str,
    border: str,
    padding: tuple[float, ...],
    dry_run: bool = False,
) -> float:
    """One part of the override note (or with `dry_run` only measured); its height."""
    pdf.set_font(FONT, style, size)
    return pdf.multi_cell(
        0,
        line_height,
        text,
        border=border,
        align="L",
        padding=padding,
        new_x=XPos.LMARGIN,
        dry_run=dry_run,
        output=MethodReturnValue.HEIGHT,
    )
