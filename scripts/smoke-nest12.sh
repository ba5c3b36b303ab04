#!/usr/bin/env bash
# Smoke check of the compiled (CommonJS) sample app and library on NestJS 12, outside Jest (Jest cannot
# load Nest 12's ESM on Node 20). Installs Nest 12 into a temporary folder, runs the built sample
# there, and checks the authorize redirect and the guard's answer. Usage: bash scripts/smoke-nest12.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
rm -rf dist && npx nest build sample >/dev/null
cp -r dist "$work/dist"
# The runtime dependencies of package.json, with every @nestjs/* package moved to ^12 (better-sqlite3 is
# linked from this checkout below), so this check never drifts from what the library really needs.
node -e '
  const deps = { ...require("./package.json").dependencies };
  delete deps["better-sqlite3"];
  for (const name of Object.keys(deps)) if (name.startsWith("@nestjs/")) deps[name] = "^12";
  require("fs").writeFileSync(process.argv[1], JSON.stringify({ name: "nest12-smoke", private: true, dependencies: deps }, null, 2));
' "$work/package.json"
(cd "$work" && npm install --no-audit --no-fund --silent)
# better-sqlite3 is compiled from source; reuse this checkout's build instead of compiling again.
for pkg in better-sqlite3 bindings file-uri-to-path; do ln -s "$PWD/node_modules/$pkg" "$work/node_modules/$pkg"; done
echo "NestJS $(node -p "require('$work/node_modules/@nestjs/core/package.json').version")"
port=3199
(cd "$work" && PORT=$port exec node dist/apps/sample/apps/sample/src/main.js > "$work/sample.log" 2>&1) & pid=$!
for _ in $(seq 1 120); do curl -fs "localhost:$port/" >/dev/null 2>&1 && break; sleep 0.25; done
code=$(curl -s -o /dev/null -w "%{http_code}" "localhost:$port/hover/authorize" || true)
guard=$(curl -s "localhost:$port/jobs" || true)
[ "$code" = 302 ] || { echo "authorize answered $code"; cat "$work/sample.log"; exit 1; }
case "$guard" in *HOVER_NOT_CONNECTED*) ;; *) echo "guard answered: $guard"; exit 1;; esac
echo "Nest 12 smoke check passed (authorize 302, guard HOVER_NOT_CONNECTED)"
rm -rf dist
