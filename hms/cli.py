"""The `flask hms …` commands."""

import click
from flask import current_app
from flask.cli import AppGroup

from hms.extensions import db
from hms.services.accounts import AccountError, create_staff_user

hms_cli = AppGroup("hms", help="HMS administration commands.")


@hms_cli.command("seed-demo")
@click.option(
    "--if-empty", is_flag=True, help="Do nothing if the database already has departments."
)
@click.option(
    "--force", is_flag=True, help="Allow seeding in production (demo passwords are public)."
)
def seed_demo_command(if_empty: bool, force: bool):
    """Load a demo hospital: departments, doctors with schedules, a price list, staff."""
    from hms.demo import database_is_empty, seed_demo

    if current_app.config["HMS_ENV"] == "production" and not force:
        raise click.ClickException("Refusing to load demo accounts in production (use --force).")
    if if_empty and not database_is_empty(db.session):
        click.echo("The database already holds data; demo seeding skipped.")
        return
    for line in seed_demo(db.session, slot_minutes=current_app.config["HMS_SLOT_MINUTES"]):
        click.echo(line)


@hms_cli.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(["admin", "doctor", "register"]))
@click.option("--password", required=True, prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--department", help="The department a doctor is enrolled in.")
@click.option("--full-name", help="The name shown to patients and colleagues.")
def create_user_command(username, role, password, department, full_name):
    """Create a staff account with one role."""
    try:
        user = create_staff_user(
            db.session,
            username=username,
            role=role,
            password=password,
            full_name=full_name,
            department=department,
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} account {user.username!r}.")


@hms_cli.command("generate")
@click.option("--patients", default=10_000, show_default=True, type=click.IntRange(0))
@click.option("--appointments", default=20_000, show_default=True, type=click.IntRange(0))
@click.option("--admissions", default=2_000, show_default=True, type=click.IntRange(0))
@click.option("--seed", default=1, show_default=True, help="Random seed (same seed, same data).")
def generate_command(patients: int, appointments: int, admissions: int, seed: int):
    """Add a large generated population (for measurements) to a seeded hospital."""
    import time

    from hms.devdata import generate
    from hms.services.clock import hospital_now

    if current_app.config["HMS_ENV"] == "production":
        raise click.ClickException("Refusing to generate fake patients in production.")
    started = time.perf_counter()
    try:
        figures = generate(
            db.session,
            patients=patients,
            appointments=appointments,
            admissions=admissions,
            today=hospital_now(current_app.config["HMS_TIMEZONE"]).date(),
            seed=seed,
            default_slot_minutes=current_app.config["HMS_SLOT_MINUTES"],
            log=click.echo,
        )
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Generated {figures} in {time.perf_counter() - started:.1f} s.")
