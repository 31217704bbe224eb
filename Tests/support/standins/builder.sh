#!/usr/bin/env bash
# A stand-in for the official builder (swift image + Static Linux SDK), made from Debian sid's
# swiftlang (the Dockerfiles' SWIFT_VERSION, 6.2.3 when this was written) because no Swift image
# or SDK can be downloaded here:
#   - an amd64 sid root file system with swiftlang, libyaml-dev, pkg-config and git, which
#     compiles natively for x86_64-unknown-linux-gnu;
#   - a Swift SDK `swift-SWIFT_VERSION-debian-sid_aarch64` (installed with `swift sdk install`), whose
#     sysroot holds sid's arm64 libc, libgcc, libstdc++, libyaml and Swift runtime, so that the
#     same compiler cross-compiles for aarch64-unknown-linux-gnu at native speed;
#   - a stand-in for Amazon RDS's CA bundle at /opt/rds-ca-bundle.pem (keys in
#     $STANDIN_WORK/standin-rds-ca), where the official builder downloads the real one.
# Binaries it builds need sid's glibc (2.43) at run time: see Tests/support/standins/runtime.sh.
# Usage: Tests/support/standins/builder.sh TAG   (idempotent; the root file system is cached)
set -euo pipefail
TAG="$1"
ROOT_DIR="$(cd "$(dirname "$0")/../../.." && pwd)"
: "${STANDIN_WORK:=$ROOT_DIR/build/test-docker}"
export STANDIN_WORK
DOCKER="${DOCKER:-docker}"
# The builder's Swift version has one owner: the Dockerfiles' SWIFT_VERSION.
SWIFT_VERSION="$(sed -n 's/^ARG SWIFT_VERSION=//p' "$ROOT_DIR/Dockerfile.amd64")"
SDK_ID="swift-$SWIFT_VERSION-debian-sid_aarch64"
R="$STANDIN_WORK/builder-root"
stamp="$(sha256sum "$0" "$(dirname "$0")/sid-apt.sh" | sha256sum | cut -c1-16)"

# A stand-in for Amazon RDS's CA bundle, which the official builder downloads (RDS_CA_BUNDLE_URL):
# two certificate authorities, as the real bundle holds one per region. The first one's key stays
# here so that the tests can give a local PostgreSQL a certificate the images trust.
RDS_CA="$STANDIN_WORK/standin-rds-ca"
if [ ! -s "$RDS_CA/bundle.pem" ]; then
  rm -rf "$RDS_CA"; mkdir -p "$RDS_CA"
  for region in us-east-1 eu-west-1; do
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -keyout "$RDS_CA/$region.key" -out "$RDS_CA/$region.pem" \
      -subj "/O=tictactoe stand-in/CN=Stand-in Amazon RDS $region Root CA" 2>/dev/null
  done
  cat "$RDS_CA/us-east-1.pem" "$RDS_CA/eu-west-1.pem" >"$RDS_CA/bundle.pem"
fi
# The image carries the bundle, so a new bundle (a fresh build folder) means a new image.
image_stamp="$stamp-$(sha256sum "$RDS_CA/bundle.pem" | cut -c1-16)"

if $DOCKER image inspect "$TAG" >/dev/null 2>&1 \
  && [ "$($DOCKER image inspect -f '{{index .Config.Labels "io.tictactoe.standin"}}' "$TAG")" = "$image_stamp" ]; then
  exit 0
fi

in_root() {
  mountpoint -q "$R/proc" || mount --bind /proc "$R/proc"
  chroot "$R" env -i PATH=/usr/bin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive "$@"
}
cleanup() { ! mountpoint -q "$R/proc" || umount "$R/proc"; }
trap cleanup EXIT

PACKAGES="swiftlang libc6-dev libstdc++-16-dev libyaml-dev pkg-config git"
root_stamp="$(echo "$PACKAGES" | sha256sum | cut -c1-16)"
if [ ! -f "$R/.root-$root_stamp" ]; then
  cleanup
  rm -rf "$R"
  echo "builder stand-in: debootstrap sid (about 30 s)" >&2
  debootstrap --variant=minbase --include=ca-certificates sid "$R" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
    >"$STANDIN_WORK/debootstrap-builder.log" 2>&1 || { tail -20 "$STANDIN_WORK/debootstrap-builder.log" >&2; exit 1; }
  echo "builder stand-in: swiftlang $SWIFT_VERSION (about 1 min)" >&2
  # shellcheck disable=SC2086
  in_root apt-get -o Acquire::Check-Valid-Until=false install -y -qq --no-install-recommends \
    $PACKAGES >"$STANDIN_WORK/builder-apt.log" 2>&1 \
    || { tail -20 "$STANDIN_WORK/builder-apt.log" >&2; exit 1; }
  rm -rf "$R"/usr/share/{doc,man,locale} "$R"/var/cache/apt/archives/*.deb "$R"/var/lib/apt/lists/*
  touch "$R/.root-$root_stamp"
fi

if [ ! -f "$R/.stamp-$stamp" ]; then
  rm -rf "$R"/root/.swiftpm/swift-sdks/"$SDK_ID".artifactbundle "$R"/.stamp-*
  echo "builder stand-in: arm64 sysroot and Swift SDK" >&2
  "$(dirname "$0")/sid-apt.sh" update
  debs="$STANDIN_WORK/debs-arm64"
  rm -rf "$debs"
  "$(dirname "$0")/sid-apt.sh" download "$debs" swiftlang:arm64 libswiftlang:arm64 libc6:arm64 libc6-dev:arm64 \
    linux-libc-dev libgcc-s1:arm64 libgcc-16-dev:arm64 libstdc++6:arm64 libstdc++-16-dev:arm64 \
    libyaml-0-2:arm64 libyaml-dev:arm64
  bundle="$R/tmp/$SDK_ID.artifactbundle"
  sysroot="$bundle/sysroot"
  rm -rf "$bundle"; mkdir -p "$sysroot"
  for deb in "$debs"/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  # Only the target's Swift modules and runtime libraries are needed, not its compiler.
  rm -rf "$sysroot"/usr/libexec/swift/{bin,share,libexec} "$sysroot"/usr/libexec/swift/lib/lib*.so* \
    "$sysroot"/usr/share/{doc,man,locale,lintian}
  # Merged /usr, as on a Debian system: libc.so's linker script names /lib/ld-linux-aarch64.so.1.
  [ -e "$sysroot/lib" ] || ln -s usr/lib "$sysroot/lib"
  ln -sfn ../libexec/swift/lib/swift_static "$sysroot/usr/lib/swift_static"
  ln -sfn ../libexec/swift/lib/swift "$sysroot/usr/lib/swift"
  cat >"$bundle/info.json" <<JSON
{
  "schemaVersion": "1.0",
  "artifacts": {
    "$SDK_ID": {
      "type": "swiftSDK",
      "version": "$SWIFT_VERSION",
      "variants": [{ "path": ".", "supportedTriples": ["x86_64-unknown-linux-gnu", "x86_64-pc-linux-gnu"] }]
    }
  }
}
JSON
  cat >"$bundle/swift-sdk.json" <<JSON
{
  "schemaVersion": "4.0",
  "targetTriples": {
    "aarch64-unknown-linux-gnu": {
      "sdkRootPath": "sysroot",
      "swiftResourcesPath": "sysroot/usr/libexec/swift/lib/swift",
      "swiftStaticResourcesPath": "sysroot/usr/libexec/swift/lib/swift_static",
      "toolsetPaths": ["toolset.json"]
    }
  }
}
JSON
  cat >"$bundle/toolset.json" <<JSON
{ "schemaVersion": "1.0", "swiftCompiler": { "extraCLIOptions": ["-use-ld=lld"] }, "linker": { "path": "/usr/libexec/swift/bin/ld.lld" } }
JSON
  in_root swift sdk install "/tmp/$SDK_ID.artifactbundle" >&2
  rm -rf "$bundle"
  in_root swift sdk list | grep -qx "$SDK_ID" || { echo "error: $SDK_ID is not installed in the builder stand-in" >&2; exit 1; }
  touch "$R/.stamp-$stamp"
fi

echo "builder stand-in: docker import $TAG" >&2
cleanup
install -D -m 0644 "$RDS_CA/bundle.pem" "$R/opt/rds-ca-bundle.pem"
tar -C "$R" --exclude=./proc/* --exclude="./.stamp-*" --exclude="./.root-*" -c . \
  | $DOCKER import --change "LABEL io.tictactoe.standin=$image_stamp" --change "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" - "$TAG" >/dev/null
