"""Sign in and sign out."""

import secrets
from datetime import UTC, datetime

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from hms.auth import bp
from hms.auth.access import client_ip, now, safe_next
from hms.auth.forms import LoginForm
from hms.extensions import csrf, db
from hms.forms import error_status
from hms.services import auth


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt  # the form checks its own token and re-renders
def login():
    """Sign in and go to the role's dashboard (or back to the page asked for)."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for(current_user.home_endpoint))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form), error_status(form)
    attempt = auth.Attempt(form.username.data, form.password.data, client_ip())
    try:
        user = auth.authenticate(db.session, attempt, datetime.fromtimestamp(now(), UTC))
    except auth.Throttled as exc:
        minutes = -(-exc.retry_after // 60)
        form.password.errors.append(f"Too many failed sign-ins. Try again in {minutes} minutes.")
        response = current_app.make_response((render_template("auth/login.html", form=form), 429))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except auth.InvalidCredentials as exc:
        form.password.errors.append(str(exc))
        return render_template("auth/login.html", form=form), 401
    session.clear()  # a fresh session: nothing from before sign-in survives (no fixation)
    login_user(user)
    session["seen"] = now()
    session["nonce"] = secrets.token_urlsafe(16)
    return redirect(safe_next(form.next.data) or url_for(user.home_endpoint), 303)


@bp.post("/logout")
@login_required
def logout():
    """Sign out: end this and every other session of the account."""
    auth.sign_out(db.session, current_user, client_ip())
    logout_user()
    session.clear()
    flash("You have signed out.", "success")
    return redirect(url_for("auth.login"), 303)
