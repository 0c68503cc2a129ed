"""A real run's report.html, opened in headless Chromium: figures decode, nothing is fetched
from outside, no console errors, and it reads at phone (375 px) and desktop (1280 px) widths.

The run is trained through the command line (``mlplab train ... --out DIR``), so the test holds
wherever the report is written from. The browser is the system's Chromium (Debian's
``chromium``, which ``.ci/run`` installs), driven by Playwright; without either the browser
checks are skipped, and the static checks (every ``<img>`` a PNG data URI that decodes, no
http(s) reference) still run.
"""

import base64
import io
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import run_cli

WIDTHS = {"phone": 375, "desktop": 1280}
# Debian's /usr/bin/chromium is a shell wrapper; Playwright talks to the binary behind it.
CHROMIUM_BINARIES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser", "google-chrome")


def _chromium() -> str | None:
    for name in CHROMIUM_BINARIES:
        found = shutil.which(name) or (name if Path(name).is_file() else None)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("run") / "tiny"
    done = run_cli(
        "train", "--data", "iris", "--hidden", "8", "--epochs", "3", "--quiet", "--out", out
    )
    assert done.returncode == 0, done.stderr
    return out / "report.html"


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    binary = _chromium()
    if binary is None:
        pytest.skip("no Chromium binary (apt-get install chromium)")
    with playwright.sync_playwright() as driver:
        # Any host name resolves to nothing: a reference to the network fails loudly.
        chromium = driver.chromium.launch(
            executable_path=binary, args=["--host-resolver-rules=MAP * ~NOTFOUND"]
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def opened(browser, report):
    """The report loaded at phone width, with every console message and request recorded."""
    page = browser.new_page(viewport={"width": WIDTHS["phone"], "height": 800})
    log = {"console": [], "failed": [], "requests": []}
    page.on("console", lambda m: log["console"].append((m.type, m.text)))
    page.on("pageerror", lambda error: log["console"].append(("error", str(error))))
    page.on("requestfailed", lambda r: log["failed"].append(r.url))
    page.on("request", lambda r: log["requests"].append(r.url))
    page.goto(report.as_uri(), wait_until="load")
    yield page, log
    page.close()


def test_every_figure_is_an_embedded_png_that_decodes(report):
    from PIL import Image

    html = report.read_text(encoding="utf-8")
    sources = re.findall(r"<img\b[^>]*\bsrc=\"([^\"]*)\"", html)
    assert len(sources) >= 3, "learning curves, confusion matrix, layer statistics"
    for source in sources:
        assert source.startswith("data:image/png;base64,"), source[:80]
        image = Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1])))
        image.load()
        assert image.width > 0 and image.height > 0


def test_nothing_refers_outside_the_file(report):
    html = report.read_text(encoding="utf-8")
    assert not re.findall(r"(?:src|href|action)\s*=\s*[\"']?(?:https?:)?//", html, re.I)
    assert not re.findall(r"url\(\s*[\"']?(?:https?:)?//", html, re.I)
    assert "@import" not in html


def test_every_image_decodes_in_the_browser(opened):
    page, _ = opened
    images = page.evaluate(
        "[...document.images].map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth}))"
    )
    assert len(images) >= 3
    assert all(image["complete"] and image["width"] > 0 for image in images), images


def test_no_console_errors_and_no_request_leaves_the_file(opened):
    page, log = opened
    page.reload(wait_until="load")
    assert not [text for kind, text in log["console"] if kind in ("error", "warning")]
    assert not log["failed"]
    assert all(url.startswith(("file:", "data:")) for url in log["requests"]), log["requests"]


@pytest.mark.parametrize(
    "width",
    [
        pytest.param(WIDTHS["phone"], id="phone"),
        pytest.param(WIDTHS["desktop"], id="desktop"),
    ],
)
def test_readable_without_horizontal_scrolling(opened, width, tmp_path):
    page, _ = opened
    page.set_viewport_size({"width": width, "height": 800})
    page.screenshot(path=str(tmp_path / f"report-{width}.png"), full_page=True)
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"the page is {scroll_width} px wide in a {width} px window"
