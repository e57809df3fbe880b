"""Playwright driving Debian's Chromium, and axe-core, for the browser tests.

Never downloads a browser: Chromium comes from the system (apt), axe-core from npm
into .ci/node_modules. Without them the browser tests skip locally and fail in CI.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
AXE_JS = Path(__file__).resolve().parents[3] / ".ci/node_modules/axe-core/axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_browser_tools() -> None:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    if not AXE_JS.exists():
        missing.append("axe-core (npm ci --prefix .ci)")
    if missing:
        message = "Browser tests need " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def check_accessibility(page, *, context: str = "") -> None:
    """Run axe-core on the page; fail on any serious or critical violation.

    axe needs JavaScript: pages opened without it are checked in a JS-enabled run.
    """
    page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    bad = [v for v in result["violations"] if v["impact"] in ("serious", "critical")]
    details = "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(n["target"][0] for n in v["nodes"][:3])
        for v in bad
    )
    assert not bad, f"Accessibility violations on {context or page.url}: {details}"
