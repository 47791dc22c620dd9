#!/usr/bin/env bash
# install-browser.sh - install Debian's chromium for the browser smoke test
# (test/browser/browser-smoke.test.ts drives /usr/bin/chromium with playwright-core), only when
# /usr/bin/chromium is missing: a machine that has it does no apt work at all. Used by .ci/run.
set -euo pipefail

readonly CHROMIUM=/usr/bin/chromium

if [[ -x $CHROMIUM ]]; then
  echo "install-browser: present ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "install-browser: $CHROMIUM is missing; run as root to install chromium" >&2; exit 4; }

echo "install-browser: installing chromium"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium
[[ -x $CHROMIUM ]] || { echo "install-browser: chromium installed but $CHROMIUM is missing" >&2; exit 1; }
echo "install-browser: installed ($("$CHROMIUM" --version 2>/dev/null | head -n 1))"
