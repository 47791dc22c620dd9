#!/usr/bin/env bash
# install-deps.sh - install the Debian packages the PC/SC integration tests need, only when one
# is missing (a machine that has them all does no apt work at all). Used by .ci/run.
#   pcscd            the PC/SC daemon (pulls libpcsclite1, which pcsc-mini links)
#   vsmartcard-vpcd  the virtual reader driver our virtual card connects to over TCP
#   opensc           pkcs15-tool / pkcs11-tool / opensc-tool (pulls opensc-pkcs11), the OpenSC cross-check
#   openssl          verifies the signature made through OpenSC's PKCS#11 module
#   iproute2         `ip`, for the quick-ACK loopback route (see start-pcscd.sh)
#   libopenjp2-tools opj_decompress, which decodes the virtual card's JPEG 2000 photo fixture in a test
#   poppler-utils    pdfsig, which checks every PDF signature the SDK makes (test/pdf, unit project)
#   poppler-data     the Adobe-Japan1 CMaps pdftotext needs to read a visible signature's Japanese text
#   qpdf             qpdf --check on every signed PDF, and an encrypted PDF for the tests
set -euo pipefail

readonly PACKAGES=(pcscd vsmartcard-vpcd opensc openssl iproute2 libopenjp2-tools poppler-utils poppler-data qpdf)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] || missing+=("$pkg")
done

if (( ${#missing[@]} == 0 )); then
  echo "install-deps: all present (${PACKAGES[*]})"
  exit 0
fi
[[ $(id -u) -eq 0 ]] || { echo "install-deps: missing ${missing[*]}; run as root to install them" >&2; exit 4; }

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# --no-install-recommends keeps it small; policy-rc.d / no systemd: the packaged pcscd.socket is
# not started (start-pcscd.sh runs its own pcscd).
apt-get install -y -qq --no-install-recommends "${missing[@]}"
