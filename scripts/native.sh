#!/usr/bin/env bash
# Provisions the native libraries Sluice loads at runtime into <repo>/.native/ (git-ignored).
#
# Idempotent and fast when everything is present: each library is checked against a version stamp
# (.native/<lib>.version) and fetched only when missing or of another version. The only network
# access is the npm registry, through `npm pack`.
#
# Add a library: write a `provision_<name>` function that fills $NATIVE_DIR and calls `mark_done`,
# then list it in LIBRARIES below.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NATIVE_DIR="${SLUICE_NATIVE_DIR:-$REPO_ROOT/.native}"

DUCKDB_VERSION="1.5.6"
DUCKDB_NPM_PACKAGE="@duckdb/node-bindings-linux-x64@1.5.6-r.1"

LIBRARIES=(duckdb)

die() { echo "native.sh: error: $*" >&2; exit 1; }

# is_current <lib> <version>: true when the library's stamp says this version is already in place.
is_current() {
  local stamp="$NATIVE_DIR/$1.version"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$2" ]
}

mark_done() { echo "$2" > "$NATIVE_DIR/$1.version"; }

require_npm() {
  command -v npm > /dev/null 2>&1 ||
    die "npm is not installed; it is needed to fetch native libraries (install Node.js + npm, e.g. 'apt-get install -y npm')."
  command -v tar > /dev/null 2>&1 || die "tar is not installed."
}

# npm_pack_extract <package@version> <dir>: downloads the package tarball into <dir> and unpacks it there.
npm_pack_extract() {
  local spec="$1" dir="$2" tarball
  tarball="$(cd "$dir" && npm pack "$spec" --silent 2> "$dir/npm.log" | tail -n 1)" ||
    die "npm pack $spec failed: $(cat "$dir/npm.log")"
  [ -f "$dir/$tarball" ] || die "npm pack $spec produced no tarball: $(cat "$dir/npm.log")"
  tar -xzf "$dir/$tarball" -C "$dir"
}

provision_duckdb() {
  if [ -f "$NATIVE_DIR/libduckdb.so" ] && is_current duckdb "$DUCKDB_VERSION"; then
    STATUS+=("libduckdb.so $DUCKDB_VERSION present")
    return
  fi
  require_npm
  local tmp so
  tmp="$(mktemp -d)"
  TEMP_DIRS+=("$tmp")
  npm_pack_extract "$DUCKDB_NPM_PACKAGE" "$tmp"
  so="$(find "$tmp/package" -name 'libduckdb.so' -print -quit)"
  [ -n "$so" ] || die "libduckdb.so not found in $DUCKDB_NPM_PACKAGE"
  # Copy to a temp name then rename, so a concurrent reader never sees a half-written library.
  cp "$so" "$NATIVE_DIR/libduckdb.so.tmp.$$"
  mv -f "$NATIVE_DIR/libduckdb.so.tmp.$$" "$NATIVE_DIR/libduckdb.so"
  mark_done duckdb "$DUCKDB_VERSION"
  STATUS+=("fetched libduckdb.so $DUCKDB_VERSION")
}

cleanup() { [ ${#TEMP_DIRS[@]} -eq 0 ] || rm -rf "${TEMP_DIRS[@]}"; }

main() {
  mkdir -p "$NATIVE_DIR"
  STATUS=()
  TEMP_DIRS=()
  trap cleanup EXIT
  local lib
  for lib in "${LIBRARIES[@]}"; do
    "provision_$lib"
  done
  local joined
  joined="$(printf '%s, ' "${STATUS[@]}")"
  echo "native.sh: ${joined%, } (in $NATIVE_DIR)"
}

main "$@"
