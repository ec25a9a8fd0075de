#!/usr/bin/env bash
# Headless Chromium and its driver for the dashboard's browser tests
# (tests/bo/dashboard/test_browser.py, driven by Selenium).
#
#   bash .ci/browser.sh      # idempotent: installs Debian's chromium + chromium-driver if missing
#
# Nothing is downloaded at test time: the tests use the chromium and chromedriver on PATH and
# skip, with the reason, when there are none. Installing needs root (apt-get); without root a
# missing browser is reported and the script exits 0 (the browser tests then skip). Progress
# goes to stderr; the last line says what is there.
set -euo pipefail

say() { echo "browser.sh: $*" >&2; }

find_browser() {
    local b
    for b in chromium chromium-browser google-chrome; do
        if command -v "$b" >/dev/null 2>&1; then command -v "$b"; return 0; fi
    done
    return 1
}

browser=$(find_browser || true)
driver=$(command -v chromedriver 2>/dev/null || true)
if [ -n "$browser" ] && [ -n "$driver" ]; then
    say "already installed: $browser, $driver"
elif [ "$(id -u)" != 0 ]; then
    say "no chromium/chromedriver and not root: install Debian's chromium and chromium-driver" \
        "packages to run the browser tests (they skip without them)"
    exit 0
else
    say "installing Debian's chromium and chromium-driver"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >&2 \
        || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive \
            apt-get install -y -q chromium chromium-driver >&2; }
    browser=$(find_browser)
    driver=$(command -v chromedriver)
    say "installed: $browser, $driver"
fi
say "$("$browser" --version 2>/dev/null | tail -n 1); $("$driver" --version 2>/dev/null | head -n 1)"
