"""The final bill's layout: patient and stay, every charge, every payment, the totals and
the override note, on as many A4 pages as it takes."""

from fpdf.enums import XPos, YPos

from hms.services.documents import FinalBill
from hms.services.pdf import FONT, HEADINGS, INK, MUTED, RULE, SHADE, HospitalDocument, when


def render_final_bill(bill: FinalBill) -> bytes:
    """The final bill as PDF bytes."""
    pdf = HospitalDocument(
        bill.letterhead,
        "FINAL BILL",
        f"Bill {bill.bill_number}",
        f"{bill.patient_name} · Patient ID {bill.patient_number} · Bill {bill.bill_number}",
        bill.discharged_at,
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
    with pdf.table(
        col_widths=(8, 22, 72, 10, 24, 26),
        text_align=("RIGHT", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT"),
        headings_style=HEADINGS,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        padding=(1, 1.2),
    ) as table:
        table.row(["#", "Date", "Description", "Qty", "Unit price", "Amount"])
        for number, line in enumerate(bill.lines, start=1):
            table.row(
                [
                    str(number),
                    line.added_at.strftime("%d %b %Y"),
                    line.description,
                    str(line.quantity),
                    pdf.money(line.unit_price),
                    pdf.money(line.amount),
                ]
            )


def _payments(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Every payment with its receipt number."""
    pdf.section("Payments")
    if not bill.payments:
        pdf.cell(0, 6, "No payments received.", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    with pdf.table(
        col_widths=(22, 36, 18, 32, 30, 26),
        text_align=("LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "RIGHT"),
        headings_style=HEADINGS,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        padding=(1, 1.2),
    ) as table:
        table.row(["Receipt", "Date", "Method", "Reference", "Received by", "Amount"])
        for payment in bill.payments:
            table.row(
                [
                    payment.receipt,
                    when(payment.taken_at),
                    payment.method,
                    payment.reference or "—",
                    payment.taken_by,
                    pdf.money(payment.amount),
                ]
            )


def _summary(pdf: HospitalDocument, bill: FinalBill) -> None:
    """Total, paid and balance on the right; the override note and sign-off below."""
    pdf.ln(4)
    with pdf.unbreakable() as page:
        width, x = 80, page.w - page.r_margin - 80
        rows = [("Total", bill.total), ("Paid", bill.paid), ("Balance", bill.balance)]
        for label, amount in rows:
            last = label == "Balance"
            page.set_x(x)
            page.set_font(FONT, "B" if last else "", 11 if last else 10)
            if last:
                page.set_fill_color(*SHADE)
            page.cell(width / 2, 7, label, border="T" if last else 0, fill=last)
            page.cell(
                width / 2,
                7,
                page.money(amount),
                border="T" if last else 0,
                fill=last,
                align="R",
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )
    if bill.override_reason:
        pdf.ln(4)
        with pdf.unbreakable() as page:
            page.set_draw_color(220, 53, 69)
            page.set_font(FONT, "B", 10)
            page.multi_cell(
                0,
                6,
                f"Discharged with a balance of {page.money(bill.balance)} outstanding "
                f"(override by {bill.discharged_by})",
                border="LTR",
                align="L",
                padding=(2, 3, 0, 3),
                new_x=XPos.LMARGIN,
            )
            page.set_font(FONT, "", 9.5)
            page.multi_cell(
                0,
                5.5,
                f"Reason: {bill.override_reason}",
                border="LBR",
                align="L",
                padding=(1, 3, 2, 3),
                new_x=XPos.LMARGIN,
            )
            page.set_draw_color(*RULE)
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
