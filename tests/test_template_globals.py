"""Templates take the app's template globals in one plain dict, set before any loads."""

from hms.web import SettledGlobals


def test_a_template_holds_every_global_in_a_plain_dict(app):
    env = app.jinja_env
    assert isinstance(env, SettledGlobals)
    template = env.get_template("public/_status_result.html")
    assert type(template.globals) is dict  # not Jinja's ChainMap, copied on every render
    assert template.globals == env.globals
    for name in ("url_for", "status_badge", "field", "csrf_token"):
        assert name in template.globals


def test_a_templates_own_globals_overlay_the_apps(app):
    template = app.jinja_env.from_string(
        "{{ hospital }} {{ status_badge('booked') }}", globals={"hospital": "St. Mary"}
    )
    assert 'St. Mary <span class="badge' in template.render()
    assert "hospital" not in app.jinja_env.globals
