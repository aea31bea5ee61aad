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
