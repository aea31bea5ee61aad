"""Debian's Chromium, as the browser tests and the screenshot command launch it."""

import shutil

EXECUTABLE = shutil.which("chromium") or "/usr/bin/chromium"
# Without the networking flags Chromium calls home, which this machine's network refuses.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

# Signing renders, signs and checks the real report before the page answers: on a loaded
# two-core machine (a CI run, both cores busy) that has taken over Playwright's 30 s default.
SIGNING_MS = 120_000
