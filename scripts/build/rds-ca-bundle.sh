#!/bin/sh
# The rootfs stage of Dockerfile.amd64/arm64, for variants with state.backend postgres: checks the
# downloaded copy of Amazon RDS's CA bundle against the SHA-256 its lock file records (`make image`
# passes it; scripts/build/rds-ca-lock.py keeps the lock) and installs it where the stack's
# PGSSLROOTCERT points (the facts' RDS_CA_BUNDLE), with a record beside Package.resolved.
# Usage: scripts/build/rds-ca-bundle.sh BUNDLE PINNED_SHA256 ROOTFS PATH SOURCE_URL
set -eu
bundle="$1"; pinned="$2"; rootfs="$3"; path="$4"; source="$5"
[ -s "$bundle" ] || { echo "error: no RDS CA bundle was downloaded from $source" >&2; exit 1; }
actual="$(sha256sum "$bundle" | cut -d' ' -f1)"
count="$(grep -c 'BEGIN CERTIFICATE' "$bundle" || true)"
[ "$count" -gt 0 ] || { echo "error: $bundle (SHA-256 $actual) holds no PEM certificate" >&2; exit 1; }
if [ "$actual" != "$pinned" ]; then
  echo "error: Amazon RDS's CA bundle ($count certificates, SHA-256 $actual) is not the one pinned (RDS_CA_BUNDLE_SHA256='$pinned')." >&2
  echo "  Build with make image, which records the bundle in rds-ca-bundle.lock on first use and shows what changed since." >&2
  exit 1
fi
install -D -m 0644 "$bundle" "$rootfs$path"
mkdir -p "$rootfs/usr/share/tictactoe"
echo "$actual  $path" >"$rootfs/usr/share/tictactoe/rds-ca-bundle.sha256"
echo "$source" >"$rootfs/usr/share/tictactoe/rds-ca-bundle.source"
