"""Helpers for the browser tests: screen sizes, error log, screenshots, axe-core."""

from pathlib import Path

from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
AXE_JS = ROOT / "hms" / "static" / "vendor" / "axe-core" / "axe.min.js"

# A phone and a desktop screen, named by the width the screenshots are filed under.
VIEWPORTS = {
    "375": {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True},
    "1280": {"viewport": {"width": 1280, "height": 800}},
}


class ErrorLog(list):
    """Console errors and uncaught exceptions (CSP violations are console errors)."""

    def watch(self, page: Page) -> Page:
        """Record the page's errors from now on."""
        page.on(
            "console",
            lambda msg: msg.type == "error" and self.append(f"{msg.text} ({msg.location['url']})"),
        )
        page.on("pageerror", lambda exc: self.append(f"uncaught: {exc}"))
        return page


def fits_width(page: Page) -> bool:
    """True when the page needs no horizontal scrolling."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def save_screenshot(page: Page, width: str, name: str) -> Path:
    """A full-page screenshot in test-artifacts/screenshots/<width>-<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{width}-{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def serious_violations(page: Page) -> list[dict]:
    """Run axe-core on the page; return its serious and critical violations."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def describe(violations: list[dict]) -> str:
    """The violations, one rule per paragraph with the offending elements."""
    parts = []
    for v in violations:
        nodes = "\n".join(
            f"    {', '.join(map(str, n['target']))}: {n['failureSummary'].replace(chr(10), ' ')}"
            for n in v["nodes"]
        )
        parts.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})\n{nodes}")
    return "\n".join(parts)
