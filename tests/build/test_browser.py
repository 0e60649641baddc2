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


# --- the report's shape, as a reader at 1,366 px sees it (issue 20 §1, §3) ----------------

# Column names that must never reach a reader as labels.
COLUMN_NAMES = [
    "role_group",
    "site_name",
    "site_id",
    "imd_decile",
    "foundations_partner",
    "p_value",
    "code_id",
    "rq_id",
    "question_id",
    "n_participants",
]
MAX_HEIGHT = 30_000


def _pages(reports: Path) -> list[Path]:
    """Every page a sponsor reads: the report, the site pages and the appendices (the
    provenance appendix lists raw file names on purpose, for reviewers)."""
    appendices = [p for p in sorted(reports.glob("appendices/*.html")) if p.stem != "provenance"]
    return [reports / "index.html", *sorted(reports.glob("sites/*.html")), *appendices]


@pytest.fixture(scope="module")
def reader(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_the_title_is_on_the_first_screen_and_the_banner_stays_in_view(built, reader):
    summary, folders = built
    assert summary.ok, summary.text()
    reader.goto((folders["reports"] / "index.html").as_uri(), wait_until="load")
    title = reader.evaluate(
        "(() => { const r = document.querySelector('h1').getBoundingClientRect();"
        " return {top: r.top, bottom: r.bottom, text: document.querySelector('h1').innerText}; })()"
    )
    assert title["top"] >= 0 and title["bottom"] <= 900, title
    assert title["text"].startswith(_ingest_title(folders))
    assert reader.locator("text=Draft").first.is_visible()
    reader.evaluate("window.scrollTo(0, 6000)")
    banner = reader.evaluate(
        """(() => {
             const b = document.querySelector('.evstudy-banner');
             const r = b.getBoundingClientRect();
             const hit = document.elementFromPoint(r.left + 5, r.top + r.height / 2);
             return {top: r.top, bottom: r.bottom, scrolled: window.scrollY,
                     onTop: b.contains(hit)};
           })()"""
    )
    assert banner["scrolled"] > 5000 and banner["top"] >= 0 and banner["bottom"] < 200
    assert banner["onTop"], banner  # visible, not covered by the page under it
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=str(SCREENSHOTS / "index-scrolled.png"))


def _ingest_title(folders: dict) -> str:
    import json

    report = json.loads((folders["processed"] / "ingest_report.json").read_text("utf-8"))
    return report["title"]


def test_the_main_report_is_at_most_30000_px_tall_at_1366_px(built, reader):
    _, folders = built
    reader.goto((folders["reports"] / "index.html").as_uri(), wait_until="load")
    height = reader.evaluate("document.documentElement.scrollHeight")
    assert height <= MAX_HEIGHT, height
    chapters = reader.evaluate(
        "Array.from(document.querySelectorAll('nav.evstudy-toc > ol > li > a'))"
        ".map(a => a.innerText)"
    )
    assert chapters[:7] == [
        "Executive summary",
        "Background and aims",
        "Methods",
        "Findings",
        "Discussion",
        "Limitations",
        "Recommendations",
    ]
    assert chapters[-2:] == ["Site case studies", "Appendices"]
    assert not reader.evaluate("document.querySelector('nav.evstudy-toc ol ol')")  # chapters only


def test_no_column_name_is_shown_to_a_reader(built, reader):
    _, folders = built
    found = {}
    for path in _pages(folders["reports"]):
        reader.goto(path.as_uri(), wait_until="load")
        text = reader.evaluate("document.body.innerText")
        shown = [name for name in COLUMN_NAMES if name in text]
        if shown:
            found[path.name] = shown
    assert found == {}


def test_every_figure_and_table_is_numbered_in_order_with_a_caption(built, reader):
    _, folders = built
    bad = {}
    for path in _pages(folders["reports"]):
        reader.goto(path.as_uri(), wait_until="load")
        seen = reader.evaluate(
            """(() => ({
                 tables: Array.from(document.querySelectorAll('table')).map(t =>
                   (t.querySelector('caption') || {innerText: ''}).innerText),
                 figures: Array.from(document.querySelectorAll('figure')).map(f =>
                   (f.querySelector('figcaption') || {innerText: ''}).innerText),
                 links: Array.from(document.querySelectorAll('a.evstudy-ref')).map(a =>
                   [a.innerText, !!document.getElementById(a.hash.slice(1))]),
               }))()"""
        )
        expected = [f"Table {i}." for i in range(1, len(seen["tables"]) + 1)]
        got = [" ".join(c.split()[:2]) for c in seen["tables"]]
        figures = [" ".join(c.split()[:2]) for c in seen["figures"]]
        if got != expected or figures != [f"Figure {i}." for i in range(1, len(figures) + 1)]:
            bad[path.name] = (got, figures)
        if not all(ok for _, ok in seen["links"]):
            bad[path.name] = seen["links"]
    assert bad == {}
    reader.goto((folders["reports"] / "index.html").as_uri(), wait_until="load")
    # The text refers to its tables and figures.
    assert reader.locator("a.evstudy-ref").count() >= 3


def test_no_table_is_clipped(built, reader):
    """Every table fits its column, or scrolls inside its own box (whose scroll width
    reaches the table's last column); no ancestor hides part of it."""
    _, folders = built
    clipped = {}
    for path in _pages(folders["reports"]):
        reader.goto(path.as_uri(), wait_until="load")
        found = reader.evaluate(
            """Array.from(document.querySelectorAll('table')).filter(t => {
                 const wrap = t.closest('.evstudy-table-wrap');
                 const box = wrap || t.parentElement;
                 const fits = t.getBoundingClientRect().width <= box.clientWidth + 1;
                 const scrolls = wrap
                   && ['auto', 'scroll'].includes(getComputedStyle(wrap).overflowX)
                   && wrap.scrollWidth >= t.getBoundingClientRect().width - 1;
                 let el = (wrap || t).parentElement, hidden = false;
                 while (el && el !== document.body) {
                   const s = getComputedStyle(el);
                   if (s.overflowX === 'hidden' && el.scrollWidth > el.clientWidth + 1) {
                     hidden = true;
                   }
                   el = el.parentElement;
                 }
                 return !(fits || scrolls) || hidden;
               }).map(t => (t.querySelector('caption') || t).innerText.slice(0, 60))"""
        )
        if found:
            clipped[path.name] = found
    assert clipped == {}


def test_a_site_page_places_the_site_and_links_back_and_on(built, reader):
    _, folders = built
    sites = sorted(folders["reports"].glob("sites/*.html"))
    reader.goto(sites[1].as_uri(), wait_until="load")
    nav = reader.evaluate(
        "Array.from(document.querySelectorAll('nav.evstudy-pagenav a'))"
        ".map(a => [a.rel, a.getAttribute('href')])"
    )
    assert nav == [
        ["up", "../index.html"],
        ["prev", sites[0].name],
        ["next", sites[2].name],
    ]
    header = reader.evaluate("document.querySelector('.evstudy-site-header').innerText")
    assert f"2 of {len(sites)}" in header and "Who took part:" in header
    reader.click("nav.evstudy-pagenav a[rel=up]")
    assert reader.url.endswith("/index.html")
    # The report links every appendix page, and each exists.
    hrefs = reader.evaluate(
        "Array.from(document.querySelectorAll('a[href^=\"appendices/\"]'))"
        ".map(a => a.getAttribute('href'))"
    )
    assert len(set(hrefs)) >= 7
    assert all((folders["reports"] / h.split("#")[0]).is_file() for h in hrefs)
