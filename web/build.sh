#!/usr/bin/env bash
# Rebuilds web/static/editor.js, the one bundled asset of the query page
# (CodeMirror 6 with lang-sql), from web/ui-src. The bundle is committed, so
# `go build` needs no Node; run this only after changing web/ui-src:
#
#   web/build.sh
#
# It needs Node 18+ and npm; `npm ci` installs the exact versions pinned in
# web/ui-src/package-lock.json into web/ui-src/node_modules (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/ui-src"
npm ci --no-audit --no-fund
npm run --silent build
ls -l ../static/editor.js
