"""The cashier's side of an admission: its bill, payments, discharge and the PDFs."""

from uuid import uuid4

import sqlalchemy as sa
from flask import abort, current_app, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from hms.auth.access import client_ip
from hms.extensions import db
from hms.forms import error_status
from hms.models import Admission, Bill, BillItem, Payment
from hms.register import bp
from hms.register.forms import DischargeForm, PaymentForm
from hms.register.routes import audit, get_or_404
from hms.services import admissions, billing, documents, pdf


def letterhead() -> documents.Letterhead:
    """The hospital as its documents print it."""
    return documents.Letterhead.from_config(current_app.config)


def render_admission(admission: Admission, payment_form=None, discharge_form=None, status=200):
    """The admission page: who, where, the bill's items and payments, and what may be done."""
    bill = admission.bill
    items = db.session.scalars(
        sa.select(BillItem)
        .where(BillItem.bill_id == bill.id)
        .options(selectinload(BillItem.added_by))
        .order_by(BillItem.id)
    ).all()
    payments = db.session.scalars(
        sa.select(Payment)
        .where(Payment.bill_id == bill.id)
        .options(selectinload(Payment.taken_by))
        .order_by(Payment.receipt_number)
    ).all()
    if payment_form is None:
        payment_form = PaymentForm(formdata=None, request_key=uuid4().hex)
    page = render_template(
        "register/admission.html",
        admission=admission,
        bill=bill,
        items=items,
        payments=payments,
        money=billing.totals(db.session, bill.id),
        payment_form=payment_form,
        discharge_form=discharge_form or DischargeForm(formdata=None),
    )
    return page, status


@bp.get("/admissions/<int:admission_id>")
def admission(admission_id: int):
    """An admission and its bill."""
    found = get_or_404(Admission, admission_id)
    audit("admission_viewed", "admission", found.id, found.patient_id)
    return render_admission(found)


@bp.post("/admissions/<int:admission_id>/payments")
def take_payment(admission_id: int):
    """Record a payment; the form's one-time key makes a double submit record it once."""
    found = get_or_404(Admission, admission_id)
    form = PaymentForm()
    if not form.validate_on_submit():
        return render_admission(found, payment_form=form, status=error_status(form))
    try:
        payment = billing.record_payment(
            db.session,
            bill_id=found.bill.id,
            amount=form.amount_value,
            method=form.method.data,
            request_key=form.request_key.data,
            by=current_user,
            reference=form.reference.data or "",
        )
    except billing.BillingError as exc:
        getattr(form, exc.field, form.amount).errors.append(str(exc))
        status = 409 if isinstance(exc, billing.BillFrozen) else 422
        return render_admission(found, payment_form=form, status=status)
    flash(f"Payment recorded: receipt {payment.receipt}.", "success")
    return redirect(url_for(".admission", admission_id=admission_id, _anchor="payments"), 303)


@bp.post("/admissions/<int:admission_id>/discharge")
def discharge(admission_id: int):
    """Discharge the patient: the bed is freed and the final bill issued."""
    found = get_or_404(Admission, admission_id)
    form = DischargeForm()
    if not form.validate_on_submit():
        return render_admission(found, discharge_form=form, status=error_status(form))
    try:
        admissions.discharge_admission(
            db.session,
            admission_id,
            by=current_user,
            letterhead=letterhead(),
            override_reason=form.override_reason.data or "",
            client_ip=client_ip(),
        )
    except admissions.AdmissionError as exc:
        form.override_reason.errors.append(str(exc))
        return render_admission(found, discharge_form=form, status=exc.status)
    except pdf.PdfUnavailable as exc:
        current_app.logger.error("discharge refused: %s", exc)
        form.override_reason.errors.append("The bill cannot be printed here; nothing changed.")
        return render_admission(found, discharge_form=form, status=503)
    flash("Discharged. The final bill is ready to download.", "success")
    return redirect(url_for(".admission", admission_id=admission_id), 303)


def pdf_response(data: bytes, filename: str):
    """A PDF download that no shared cache keeps."""
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/payments/<int:payment_id>/receipt.pdf")
def receipt(payment_id: int):
    """The receipt of one payment, as a small PDF."""
    payment = get_or_404(Payment, payment_id)
    data = pdf.render_receipt(documents.receipt(payment, letterhead()))
    name = f"receipt-{payment.receipt}.pdf"
    audit("receipt_downloaded", "payment", payment.receipt, payment.bill.admission.patient_id)
    return pdf_response(data, name)


@bp.get("/bills/<int:bill_id>/final.pdf")
def final_bill(bill_id: int):
    """The final bill exactly as issued at discharge (registers and admins)."""
    bill = get_or_404(Bill, bill_id)
    data, name, patient_id = bill.final_pdf, f"bill-{bill.number}.pdf", bill.admission.patient_id
    if data is None:
        abort(404)  # no final bill before discharge
    audit("final_bill_downloaded", "bill", bill.number, patient_id)
    return pdf_response(data, name)
