#!/usr/bin/env bash
# quickstart.sh - what a new user does, from the package as it would be published: `npm pack` this
# tree (dist must be built), `npm install` the tarball in an empty project, then type-check every
# TypeScript block of README.md and README.ja.md against it and run the quick-start blocks against
# the virtual card (scripts/readme/snippets.mjs), and run the README's CLI line `npx mynacard
# --simulator info`. Used by .ci/run.
#
# The project also installs, at the versions of this tree's lockfile, what the blocks import
# besides mynacard: typescript and @types/node (a TypeScript app's toolchain), and usb with
# @types/w3c-web-usb (the README's Node WebUSB example).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/mynacard-quickstart.XXXXXX")"
trap 'rm -rf "$work"' EXIT

[[ -f "$root/dist/index.js" ]] || { echo "quickstart: dist/ is missing: run npm run build first" >&2; exit 1; }

# --ignore-scripts: our prepare script installs dev tooling (pcsc-mini); the tarball needs none.
(cd "$root" && npm pack --ignore-scripts --silent --pack-destination "$work" > /dev/null)
tarball="$(ls "$work"/mynacard-*.tgz)"
echo "quickstart: packed $(basename "$tarball") ($(wc -c < "$tarball") bytes)"

locked() { # the version this tree's lockfile pins for a package
  node -e 'const l = require(process.argv[1]); const p = l.packages["node_modules/" + process.argv[2]];
    if (!p) { console.error("not in the lockfile: " + process.argv[2]); process.exit(1); } console.log(p.version);' \
    "$root/package-lock.json" "$1"
}

mkdir "$work/app"
cd "$work/app"
printf '{ "name": "mynacard-quickstart", "private": true, "type": "module" }\n' > package.json
npm install --no-audit --no-fund --loglevel=error \
  "$tarball" \
  "typescript@$(locked typescript)" "@types/node@$(locked @types/node)" \
  "usb@$(locked usb)" "@types/w3c-web-usb@$(locked @types/w3c-web-usb)"

node "$root/scripts/readme/snippets.mjs" "$work/app"

echo "quickstart: npx mynacard --simulator info"
npx --no-install mynacard --simulator info < /dev/null > "$work/info.txt"
grep -q 'Simulator: the embedded virtual My Number Card' "$work/info.txt" || { cat "$work/info.txt"; echo "quickstart: info did not describe the virtual card" >&2; exit 1; }
echo "quickstart: ok"
