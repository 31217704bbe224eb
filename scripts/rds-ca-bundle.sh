#!/bin/sh
# The rootfs stage of Dockerfile.amd64/arm64, for variants with state.backend postgres: checks the
# builder's copy of Amazon RDS's CA bundle against its pinned SHA-256 and installs it where the
# stack's PGSSLROOTCERT points (DatabaseSettings.caBundlePath, given by the variant's facts), with
# a record beside Package.resolved.
# Usage: scripts/rds-ca-bundle.sh BUNDLE PINNED_SHA256 ROOTFS PATH
set -eu
bundle="$1"; pinned="$2"; rootfs="$3"; path="$4"
source="https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"
[ -s "$bundle" ] || {
  echo "error: the builder has no RDS CA bundle at $bundle: leave RDS_CA_BUNDLE_URL at its default ($source) or use a builder that carries one" >&2
  exit 1
}
actual="$(sha256sum "$bundle" | cut -d' ' -f1)"
count="$(grep -c 'BEGIN CERTIFICATE' "$bundle" || true)"
[ "$count" -gt 0 ] || { echo "error: $bundle (SHA-256 $actual) holds no PEM certificate" >&2; exit 1; }
if [ -z "$pinned" ]; then
  echo "error: RDS_CA_BUNDLE_SHA256 is empty, so Amazon RDS's CA bundle ($count certificates, SHA-256 $actual) cannot be trusted yet." >&2
  echo "  Compare with a copy you fetch yourself: curl -fsSL $source | sha256sum" >&2
  echo "  then pin it: make image ... RDS_CA_BUNDLE_SHA256=$actual (or set RDS_CA_BUNDLE_SHA256 in the Makefile)." >&2
  exit 1
fi
if [ "$actual" != "$pinned" ]; then
  echo "error: Amazon RDS's CA bundle has SHA-256 $actual ($count certificates), but RDS_CA_BUNDLE_SHA256 pins $pinned." >&2
  echo "  Amazon changed the bundle, or the download was altered: check it (curl -fsSL $source | sha256sum) before pinning the new value." >&2
  exit 1
fi
install -D -m 0644 "$bundle" "$rootfs$path"
mkdir -p "$rootfs/usr/share/tictactoe"
echo "$actual  $path" >"$rootfs/usr/share/tictactoe/rds-ca-bundle.sha256"
