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

# librdkafka is built from the source the Confluent JavaScript client ships in deps/librdkafka (no prebuilt
# linux-x64 librdkafka of this version is reachable). Its version must equal the Confluent.Kafka package version:
# the stub librdkafka.redist package written to .native/feed carries the same number so Confluent.Kafka restores.
LIBRDKAFKA_VERSION="2.15.1"
LIBRDKAFKA_NPM_PACKAGE="@confluentinc/kafka-javascript@1.10.1"
# Minimal feature set: TLS (OpenSSL) and SASL PLAIN/SCRAM/OAUTHBEARER (built in) for managed clusters, gzip via
# zlib, lz4 and snappy built in. Left out: GSSAPI/Kerberos (libsasl2), OIDC token fetch (libcurl), zstd (libzstd).
# The options are part of the version stamp, so changing them rebuilds.
LIBRDKAFKA_CONFIGURE=(--disable-gssapi --disable-curl --disable-zstd --enable-ssl --enable-zlib --disable-lz4-ext --disable-syslog --no-download)

LIBRARIES=(librdkafka)

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

# apt_ensure <file> <package>...: installs the Debian packages when <file> is absent (build machines start bare).
apt_ensure() {
  local file="$1"
  shift
  [ -e "$file" ] && return
  command -v apt-get > /dev/null 2>&1 || die "$file is missing and apt-get is unavailable; install: $*"
  echo "native.sh: installing $* (for $file)" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y --no-install-recommends "$@" > /dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update > /dev/null && "${sudo[@]}" apt-get install -y --no-install-recommends "$@" > /dev/null; } ||
    die "apt-get install $* failed"
}

# write_stub_nupkg <id> <version> <dir>: writes an empty NuGet package (a .nuspec, no files, no dependencies) to
# <dir>. For packages that exist only to carry a native library we provision ourselves, so that the package
# depending on them restores.
write_stub_nupkg() {
  local id="$1" version="$2" dir="$3" tmp
  command -v zip > /dev/null 2>&1 || apt_ensure /usr/bin/zip zip
  tmp="$(mktemp -d)"
  TEMP_DIRS+=("$tmp")
  cat > "$tmp/$id.nuspec" << NUSPEC
<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>$id</id>
    <version>$version</version>
    <authors>Sluice</authors>
    <description>Empty stand-in for $id $version: the native library is provisioned by scripts/native.sh into .native/.</description>
  </metadata>
</package>
NUSPEC
  cat > "$tmp/[Content_Types].xml" << 'TYPES'
<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="nuspec" ContentType="application/octet" />
</Types>
TYPES
  mkdir -p "$dir"
  (cd "$tmp" && zip -q -X stub.nupkg "$id.nuspec" "[Content_Types].xml")
  mv -f "$tmp/stub.nupkg" "$dir/${id,,}.$version.nupkg"
}

provision_librdkafka() {
  local stamp="$LIBRDKAFKA_VERSION ${LIBRDKAFKA_CONFIGURE[*]}"
  local nupkg="$NATIVE_DIR/feed/librdkafka.redist.$LIBRDKAFKA_VERSION.nupkg"
  if [ -f "$NATIVE_DIR/librdkafka.so.1" ] && [ -f "$nupkg" ] && is_current librdkafka "$stamp"; then
    STATUS+=("librdkafka.so $LIBRDKAFKA_VERSION present")
    return
  fi
  # The stub package first: restore needs it even when the native build is still to come or fails.
  write_stub_nupkg librdkafka.redist "$LIBRDKAFKA_VERSION" "$NATIVE_DIR/feed"
  if [ -f "$NATIVE_DIR/librdkafka.so.1" ] && is_current librdkafka "$stamp"; then
    STATUS+=("librdkafka.so $LIBRDKAFKA_VERSION present, stub package rewritten")
    return
  fi
  require_npm
  { command -v make && command -v cc; } > /dev/null 2>&1 || apt_ensure /usr/bin/make build-essential
  apt_ensure /usr/include/openssl/ssl.h libssl-dev
  apt_ensure /usr/include/zlib.h zlib1g-dev
  command -v python3 > /dev/null 2>&1 || apt_ensure /usr/bin/python3 python3 # lds-gen.py: the exported-symbol script
  local tmp src started=$SECONDS
  tmp="$(mktemp -d)"
  TEMP_DIRS+=("$tmp")
  npm_pack_extract "$LIBRDKAFKA_NPM_PACKAGE" "$tmp"
  src="$tmp/package/deps/librdkafka"
  [ -x "$src/configure" ] || die "librdkafka sources not found in $LIBRDKAFKA_NPM_PACKAGE (deps/librdkafka)"
  (cd "$src" && ./configure "${LIBRDKAFKA_CONFIGURE[@]}" > "$tmp/configure.log" 2>&1) ||
    die "librdkafka configure failed:$(echo; tail -n 20 "$tmp/configure.log")"
  grep -Eq "^RDKAFKA_VERSION_STR=[[:space:]]*${LIBRDKAFKA_VERSION//./\\.}\$" "$src/Makefile.config" ||
    die "$LIBRDKAFKA_NPM_PACKAGE does not ship librdkafka $LIBRDKAFKA_VERSION"
  make -j"${SLUICE_BUILD_JOBS:-$(nproc 2> /dev/null || echo 2)}" -C "$src/src" librdkafka.so.1 > "$tmp/make.log" 2>&1 ||
    die "librdkafka build failed:$(echo; tail -n 30 "$tmp/make.log")"
  [ -f "$src/src/librdkafka.so.1" ] || die "librdkafka build produced no librdkafka.so.1"
  # Temp name then rename, so a concurrent reader never sees a half-written library.
  local name
  for name in librdkafka.so.1 librdkafka.so; do
    cp "$src/src/librdkafka.so.1" "$NATIVE_DIR/$name.tmp.$$"
    mv -f "$NATIVE_DIR/$name.tmp.$$" "$NATIVE_DIR/$name"
  done
  mark_done librdkafka "$stamp"
  STATUS+=("built librdkafka.so $LIBRDKAFKA_VERSION in $((SECONDS - started)) s")
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
