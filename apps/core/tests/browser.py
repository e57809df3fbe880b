"""Playwright driving Debian's Chromium, and axe-core, for the browser tests.

Never downloads a browser: Chromium comes from the system (apt), axe-core from npm
into .ci/node_modules. Without them the browser tests skip locally and fail in CI.
"""

import os
import re
import time
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
# The password of every user the factories make.
PASSWORD = "correct-horse-battery"  # nosec B105


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


def check_accessibility(
    page, *, context: str = "", within: str = "", known: tuple = ()
) -> None:
    """Run axe-core on the page; fail on any serious or critical violation.

    within: a CSS selector to check only part of the page, e.g. the part that an
    htmx request has just replaced. known: (rule id, part of the element's selector)
    pairs to tolerate, for faults of third-party pages.
    axe needs JavaScript: pages opened without it are checked in a JS-enabled run.
    """
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    result = page.evaluate(
        "async ([tags, within]) => await axe.run(within ? {include: [within]} : "
        "document, {runOnly: {type: 'tag', values: tags}})",
        [AXE_TAGS, within],
    )
    bad = []
    for violation in result["violations"]:
        if violation["impact"] not in ("serious", "critical"):
            continue
        targets = [
            " ".join(map(str, node["target"]))
            for node in violation["nodes"]
            if not any(
                rule == violation["id"] and part in " ".join(map(str, node["target"]))
                for rule, part in known
            )
        ]
        if targets:
            bad.append(
                f"{violation['id']} ({violation['impact']}): {violation['help']} at "
                + ", ".join(targets[:3])
            )
    assert not bad, f"Accessibility violations on {context or page.url}: " + "; ".join(
        bad
    )


# Journeys: each runs as a desktop visitor with JavaScript, on a phone with
# JavaScript, and without JavaScript (on a phone, where a plain form is most likely).
JOURNEY_MODES = [
    pytest.param({"javascript": True, "viewport": DESKTOP}, id="desktop"),
    pytest.param({"javascript": True, "viewport": PHONE}, id="phone"),
    pytest.param({"javascript": False, "viewport": PHONE}, id="no-js"),
]


class Journey:
    """One person's way through the site, step by step.

    Each step is checked with axe-core (when JavaScript is on) and photographed; the
    photographs are written to test-artifacts/ only when the test fails, so a failure
    late in a journey still shows every page that led to it.
    """

    def __init__(self, new_page, *, javascript: bool, viewport: dict):
        self._new_page = new_page
        self.javascript = javascript
        self.viewport = viewport
        self.steps: list[tuple[str, bytes]] = []

    @property
    def is_phone(self) -> bool:
        return self.viewport["width"] < 576

    def new_page(self):
        return self._new_page(javascript=self.javascript, viewport=self.viewport)

    def step(
        self, page, name: str, *, axe: bool = True, within: str = "", known=()
    ) -> None:
        """Photograph the page as it is now and check it with axe-core.

        within: check only that part (after an in-page update of a long page).
        """
        page.wait_for_load_state()
        if self.javascript:
            # The pointer leaves what it clicked, and hover transitions settle: axe
            # would otherwise measure colours half-way through one.
            page.mouse.move(0, 0)
            page.wait_for_timeout(250)
        # What the person sees now: the part of the page they are working in.
        self.steps.append((name, page.screenshot()))
        if axe and self.javascript:
            context = f"step '{name}' at {page.url}"
            check_accessibility(page, context=context, within=within, known=known)
            # axe does not count headings: one h1 per page.
            assert page.locator("h1").count() == 1, f"one h1 at {context}"

    def save_steps(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for index, (name, png) in enumerate(self.steps, start=1):
            slug = re.sub(r"[^\w-]+", "-", name).strip("-")[:60]
            (directory / f"{index:02d}-{slug}.png").write_bytes(png)


def link_in_last_email(outbox, pattern: str) -> str:
    """The path of the first link matching pattern in the last e-mail sent."""
    assert outbox, "no e-mail was sent"
    match = re.search(r"https?://[^/\s]+(" + pattern + r")", outbox[-1].body)
    assert match, f"no link like {pattern} in: {outbox[-1].body}"
    return match.group(1)


def current_totp(user) -> str:
    """The code an authenticator app shows now for the user's TOTP secret.

    Waits for the next 30-second period when this one is about to end, so the code
    is still valid when the server checks it (the tolerance is 0).
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
    from allauth.mfa.utils import decrypt

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
    secret = decrypt(authenticator.data["secret"])
    if time.time() % 30 > 26:
        time.sleep(30 - time.time() % 30 + 0.2)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def sign_in(page, base_url: str, user, *, password: str = PASSWORD) -> None:
    """Sign in through the site's own form, with the second step for staff."""
    from django.urls import reverse

    page.goto(base_url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", password)
    page.get_by_role("main").get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
    if user.requires_mfa:
        assert reverse("mfa_authenticate") in page.url, page.url
        page.fill("input[name=code]", current_totp(user))
        page.get_by_role("main").get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
    for step in ("account_login", "mfa_authenticate"):
        assert reverse(step) not in page.url, f"still at {page.url}"


def log_in(page, base_url: str, user) -> None:
    """Start a signed-in session in the page's browser without the sign-in form
    (which the journeys go through, second step included)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "url": base_url,
            }
        ]
    )


UNLABELLED_CONTROLS_JS = """() => Array.from(document.querySelectorAll(
    'input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea'
  )).filter(el => !(el.labels && el.labels.length)
    && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')
    && !el.closest('[hidden]'))
  .map(el => el.outerHTML.slice(0, 120))"""


def unlabelled_controls(page) -> list[str]:
    """Form controls that no label, aria-label or aria-labelledby names."""
    return page.evaluate(UNLABELLED_CONTROLS_JS)


def check_skip_link(page) -> None:
    """The first Tab reaches the skip link, and Enter moves focus to the content."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content", f"first Tab at {page.url}: {focused!r}"
    assert is_focus_visible(page), f"skip link not visible when focused at {page.url}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main", page.url


FOCUS_STYLE_JS = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
    shadow: style.boxShadow !== 'none',
    shown: box.width > 1 && box.height > 1,
  };
}"""


def is_focus_visible(page) -> bool:
    """The focused element is on screen with an outline or a focus shadow."""
    style = page.evaluate(FOCUS_STYLE_JS)
    return style["shown"] and (style["outline"] or style["shadow"])


ERRORS_ANNOUNCED_JS = """() => {
  const alerts = Array.from(document.querySelectorAll('[role=alert]'))
    .filter(el => el.textContent.trim());
  const invalid = Array.from(document.querySelectorAll('[aria-invalid=true]'));
  const undescribed = invalid.filter(el => {
    const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/)
      .filter(Boolean);
    return !ids.some(id => {
      const target = document.getElementById(id);
      return target && target.textContent.trim();
    });
  }).map(el => el.name || el.id);
  return {alerts: alerts.length, invalid: invalid.length, undescribed};
}"""


def check_errors_announced(page) -> None:
    """A form shown again with errors says so to screen readers: a summary with
    role=alert, or fields marked aria-invalid that point at their error text."""
    found = page.evaluate(ERRORS_ANNOUNCED_JS)
    assert found["alerts"] or found["invalid"], f"no error announced at {page.url}"
    assert not found["undescribed"], (
        f"invalid fields without their error text at {page.url}: {found['undescribed']}"
    )
