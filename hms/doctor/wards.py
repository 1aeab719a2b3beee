"""Routes for admitted patients: the ward list, charges to bills and progress notes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from hms.auth.access import client_ip
from hms.doctor import bp
from hms.doctor.forms import OtherChargeForm, PriceListChargeForm, ProgressNoteForm
from hms.doctor.routes import ID, my_doctor
from hms.extensions import db
from hms.forms import error_status
from hms.services import billing, inpatients, visits


def render_admission(sheet, *, forms=None, refusal=None, status=200):
    """The admission page; `forms` holds a rejected form by name (list, other, note)."""
    forms = forms or {}
    prices = inpatients.price_list(db.session)
    page = render_template(
        "doctor/admission.html",
        sheet=sheet,
        list_form=forms.get("list") or PriceListChargeForm(prices, formdata=None),
        other_form=forms.get("other") or OtherChargeForm(formdata=None),
        note_form=forms.get("note") or ProgressNoteForm(formdata=None),
        refusal=refusal,
    )
    return page, status


def back_to_bill(admission_id: int, message: str):
    """Flash the outcome and show the admission's bill again (303, so reloads resend nothing)."""
    flash(message, "success")
    return redirect(url_for(".admission", admission_id=admission_id) + "#bill", 303)


@bp.get("/admissions")
def admissions():
    """Patients admitted now: any doctor may charge care to their bills."""
    my_doctor()
    page = min(max(request.args.get("page", 1, type=int), 1), 1_000_000)
    return render_template(
        "doctor/admissions.html", ward=inpatients.current_admissions(db.session, page)
    )


@bp.get(f"/admissions/<{ID}:admission_id>")
def admission(admission_id: int):
    """An admission's bill with the charge forms, and its progress notes for its doctors."""
    sheet = inpatients.open_admission(
        db.session, admission_id, doctor_id=my_doctor().id, by=current_user, client_ip=client_ip()
    )
    return render_admission(sheet)


def add_charge(admission_id: int, form, **item):
    """Add the item the valid form describes; the page again with the reason if refused."""
    try:
        billing.add_item(db.session, admission_id=admission_id, by=current_user, **item)
    except billing.BillFrozen as exc:
        return None, str(exc)
    except billing.BillingError as exc:
        if exc.field not in form:
            return None, str(exc)
        form[exc.field].errors.append(str(exc))
        return None, None
    return back_to_bill(admission_id, "Charge added to the bill."), None


@bp.post(f"/admissions/<{ID}:admission_id>/charges/price-list")
def charge_from_list(admission_id: int):
    """Charge a price-list item to the admission's bill."""
    sheet = inpatients.load_admission(db.session, admission_id, my_doctor().id)
    form = PriceListChargeForm(inpatients.price_list(db.session))
    refusal = None
    if form.validate_on_submit():
        done, refusal = add_charge(
            admission_id, form, price_item_id=form.price_item_value, quantity=form.quantity_value
        )
        if done:
            return done
    status = 409 if refusal else error_status(form)
    return render_admission(sheet, forms={"list": form}, refusal=refusal, status=status)


@bp.post(f"/admissions/<{ID}:admission_id>/charges/other")
def charge_other(admission_id: int):
    """Charge an item that is not on the price list: free text with a unit price."""
    sheet = inpatients.load_admission(db.session, admission_id, my_doctor().id)
    form = OtherChargeForm()
    refusal = None
    if form.validate_on_submit():
        done, refusal = add_charge(
            admission_id,
            form,
            description=form.description.data,
            unit_price=form.unit_price_value,
            quantity=form.quantity_value,
        )
        if done:
            return done
    status = 409 if refusal else error_status(form)
    return render_admission(sheet, forms={"other": form}, refusal=refusal, status=status)


@bp.post(f"/admissions/<{ID}:admission_id>/charges/<{ID}:item_id>/remove")
def remove_charge(admission_id: int, item_id: int):
    """Remove an item the doctor added, while the bill is open."""
    sheet = inpatients.load_admission(db.session, admission_id, my_doctor().id)
    if inpatients.charge_on(db.session, admission_id, item_id) is None:
        abort(404)
    try:
        billing.remove_item(db.session, item_id, current_user)
    except billing.BillFrozen as exc:
        return render_admission(sheet, refusal=str(exc), status=409)
    except billing.BillingError as exc:
        abort(403, str(exc))
    return back_to_bill(admission_id, "Charge removed from the bill.")


@bp.post(f"/admissions/<{ID}:admission_id>/progress-notes")
def add_progress_note(admission_id: int):
    """Add a progress note to the admission of a patient the doctor cares for."""
    doctor = my_doctor()
    sheet = inpatients.load_admission(db.session, admission_id, doctor.id)
    form = ProgressNoteForm()
    if form.validate_on_submit():
        try:
            inpatients.add_progress_note(
                db.session,
                admission_id,
                doctor_id=doctor.id,
                by=current_user,
                text=form.text.data,
                client_ip=client_ip(),
            )
            flash("Progress note added.", "success")
            return redirect(url_for(".admission", admission_id=admission_id) + "#notes", 303)
        except visits.NoteError as exc:
            form[exc.field].errors.append(str(exc))
        except visits.NoteRefused as exc:
            return render_admission(sheet, forms={"note": form}, refusal=str(exc), status=409)
    return render_admission(sheet, forms={"note": form}, status=error_status(form))
