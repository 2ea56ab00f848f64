#!/bin/sh
# Regenerates docs/observability-dashboard.png from a real run of the built receiver and reconciler.
# Needs `pnpm build` and Chromium (Debian: apt-get install chromium).
set -e
cd "$(dirname "$0")"
node simulate.mjs
node render.mjs
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,668 \
  --screenshot="$(pwd)/../../../docs/observability-dashboard.png" "file://$(pwd)/dashboard.html"
