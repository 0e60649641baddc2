"""The report in a real browser: Debian's chromium, headless, driven by Playwright.

Playwright's own browser download is unreachable here, so the test drives the system
chromium (`.ci/run` installs it when missing). Runs as root on CI, hence --no-sandbox;
the background-networking flags stop chromium phoning home, which would show up as
non-file requests.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is missing on CI: .ci/run must install Debian's chromium package")
    pytest.skip("chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _open(browser, page_path: Path, screenshot: str) -> dict:
    """Load a page with every request recorded (and anything not file:// refused)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = {"requests": [], "console_errors": [], "page_errors": []}

    def route(route):
        url = route.request.url
        seen["requests"].append(url)
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and seen["console_errors"].append(m.text))
    page.on("pageerror", lambda e: seen["page_errors"].append(str(e)))
    page.goto(page_path.as_uri(), wait_until="load")
    seen["images"] = page.evaluate(
        "Array.from(document.images).map(i => ({w: i.naturalWidth, alt: i.alt, ok: i.complete}))"
    )
    seen["toc"] = page.evaluate(
        """Array.from(document.querySelectorAll('nav.evstudy-toc a')).map(a => {
             const target = document.getElementById(decodeURIComponent(a.hash.slice(1)));
             return {href: a.getAttribute('href'), tag: target ? target.tagName : null};
           })"""
    )
    seen["title"] = page.title()
    seen["banner"] = page.locator("text=Synthetic demonstration data").count()
    links = page.locator("nav.evstudy-toc a")
    if links.count():
        # Follow one entry for real: the page scrolls its heading into view.
        last = links.nth(links.count() - 1)
        target = last.get_attribute("href")
        last.click()
        seen["landed"] = page.evaluate(
            """(id) => {
                 const r = document.getElementById(id).getBoundingClientRect();
                 return location.hash === '#' + id && r.top >= -1 && r.top < innerHeight;
               }""",
            target[1:],
        )
        page.goto(page_path.as_uri(), wait_until="load")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=False)
    context.close()
    return seen


@pytest.mark.parametrize("which", ["index", "site"])
def test_page_loads_offline_with_images_and_working_contents(built, browser, which):
    summary, folders = built
    assert summary.ok, summary.text()
    reports = folders["reports"]
    page = reports / "index.html" if which == "index" else sorted(reports.glob("sites/*.html"))[0]
    seen = _open(browser, page, f"{which}.png")
    assert seen["console_errors"] == [] and seen["page_errors"] == []
    assert seen["requests"], "the page itself is a request"
    assert all(u.startswith(("file://", "data:")) for u in seen["requests"]), seen["requests"]
    assert seen["images"], "the report shows charts"
    assert all(img["ok"] and img["w"] > 0 for img in seen["images"]), seen["images"]
    assert all(img["alt"].strip() for img in seen["images"]), "every image has alt text"
    assert seen["toc"], "a table of contents"
    broken = [entry for entry in seen["toc"] if entry["tag"] not in {"H1", "H2", "H3", "H4"}]
    assert broken == []
    assert seen["landed"] is True
    assert seen["banner"] >= 1
    assert (SCREENSHOTS / f"{which}.png").stat().st_size > 10_000


# WCAG 2.2 AA as axe-core tags its rules (2.0, 2.1 and 2.2, levels A and AA).
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


@pytest.mark.parametrize("which", ["index", "site"])
def test_axe_core_finds_no_serious_or_critical_wcag_violation(built, browser, which):
    """axe-core (bundled with axe-playwright-python) on the main page and a site page."""
    try:
        import axe_playwright_python.sync_playwright as axe
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("axe-playwright-python is missing on CI: it is in requirements.lock")
        pytest.skip("axe-playwright-python is not installed (pip install -r requirements.lock)")
    summary, folders = built
    assert summary.ok, summary.text()
    reports = folders["reports"]
    path = reports / "index.html" if which == "index" else sorted(reports.glob("sites/*.html"))[0]
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(path.as_uri(), wait_until="load")
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    response = axe.Axe().run(page, options=options).response
    context.close()
    # The rules did run: a page with no checkable content would pass too.
    assert len(response["passes"]) >= 10, response["passes"]
    bad = [
        (v["id"], v["impact"], v["help"], [n["target"] for n in v["nodes"][:3]])
        for v in response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert bad == []
