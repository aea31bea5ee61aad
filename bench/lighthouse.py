"""Lighthouse scores of the portal's main pages, as each page's user sees it (run by
bin/lighthouse against a production-like server with the demo data).

    lighthouse.py BASE_URL

Each page is audited by the lighthouse npm package (pinned in package.json) in Debian's
Chromium, with the session cookie of the person who would open it. Prints one row per page
and marks every score under the target; exits non-zero only when an audit could not run.
"""

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import django

django.setup()

from assessments import answers
from assessments.demo import DEMO_PASSWORD
from assessments.models import Assessment, Product, Status
from questionnaires import regimes

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices")
TARGET = 95
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)


def session_cookie(base: str, email: str) -> str:
    """Log in through the login form, as the person would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "username": email, "password": DEMO_PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the portal address bin/lighthouse gives
        f"{base}/accounts/login/", data=data, headers={"Referer": f"{base}/accounts/login/"}
    )
    opener.open(request)
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        raise SystemExit(f"Could not log in as {email}")
    return f"sessionid={cookies['sessionid']}"


def pages() -> list[tuple[str, str, str | None]]:
    """(name, path, who opens it) for the pages the experience issue names."""
    draft = Assessment.objects.filter(status=Status.DRAFT).select_related("organization").first()
    awaiting = Assessment.objects.filter(status=Status.AWAITING_SIGNATURE).first()
    submitted = Assessment.objects.filter(status=Status.SUBMITTED).first()
    domain = draft.organization.website.split("//")[1]
    listed = Product.objects.filter(public=True).first()
    admin = f"admin@{domain}"
    organization = draft.organization_id
    framework = draft.framework_version.framework
    responses = answers.responses_for(draft)
    regime = regimes.applicable(framework, responses, regimes.choices_of(draft))[0]
    return [
        ("home", "/", None),
        ("questionnaire section", f"/a/{draft.pk}/section/moderation/", f"preparer@{domain}"),
        (
            "sign page",
            f"/a/{awaiting.pk}/sign/",
            f"signatory@{awaiting.organization.website.split('//')[1]}",
        ),
        ("review queue", "/review/", "reviewer@portal.example"),
        ("review page", f"/review/{submitted.pk}/", "reviewer@portal.example"),
        ("verification page", "/verify/", None),
        ("directory of attested products", "/trust/", None),
        ("a product's trust page", f"/trust/{listed.pk}/", None),
        ("a law's questions", f"/a/{draft.pk}/regimes/{regime.slug}/", f"preparer@{domain}"),
        ("members", f"/org/{organization}/members/", admin),
        ("API tokens", f"/org/{organization}/api-tokens/", admin),
        ("audit trail", f"/review/{submitted.pk}/audit/", "reviewer@portal.example"),
        ("metrics", "/review/metrics/", "reviewer@portal.example"),
        ("requests for attestation", "/review/requests/", "reviewer@portal.example"),
    ]


def audit(url: str, cookie: str | None, attempts: int = 3) -> dict:
    """One page's scores; Lighthouse's own trace sometimes misses a page load ("run
    Lighthouse again"), so a run that says so is repeated."""
    for _ in range(attempts - 1):
        try:
            return _audit_once(url, cookie)
        except LighthouseRetry:
            continue
    return _audit_once(url, cookie)


class LighthouseRetry(Exception):
    pass


def _audit_once(url: str, cookie: str | None) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    if cookie:
        command.append(f"--extra-headers={json.dumps({'Cookie': cookie})}")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    ran = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if "run Lighthouse again" in ran.stderr + ran.stdout[:2000]:
        raise LighthouseRetry
    if ran.returncode != 0:
        raise SystemExit(f"Lighthouse failed on {url}:\n{ran.stderr[-2000:]}")
    report = json.loads(ran.stdout)
    if report.get("runtimeError"):
        raise SystemExit(f"Lighthouse could not load {url}: {report['runtimeError']}")
    below = {
        audit_id: a["title"]
        for audit_id, a in report["audits"].items()
        if a.get("score") is not None and a["score"] < 0.9 and a["scoreDisplayMode"] == "binary"
    }
    scores = {c: round(100 * report["categories"][c]["score"]) for c in CATEGORIES}
    return scores | {"failing audits": below}


def main(base: str) -> None:
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is not installed: run npm install (bin/setup does).")
    cookies: dict[str, str] = {}
    rows = []
    for name, path, who in pages():
        if who and who not in cookies:
            cookies[who] = session_cookie(base, who)
        rows.append((name, audit(base + path, cookies.get(who))))
    print("\n| page | " + " | ".join(CATEGORIES) + " |")
    print("|" + "---|" * (len(CATEGORIES) + 1))
    for name, scores in rows:
        cells = [
            f"{scores[c]}" + ("" if scores[c] >= TARGET else " (under 95)") for c in CATEGORIES
        ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    for name, scores in rows:
        for audit_id, title in scores["failing audits"].items():
            print(f"  {name}: {audit_id}: {title}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
