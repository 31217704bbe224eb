#!/bin/sh
# The compile stage of Dockerfile.amd64/arm64: builds the release binary on the build platform for
# the image's architecture (cross-compiling through a Swift SDK when they differ), with the same
# flags as `make release` (scripts/build/release-flags), libyaml linked statically.
#
# Usage: scripts/build/compile-for-image.sh ARCH OUT
#   ARCH   amd64 | arm64: the image's architecture
#   OUT    folder that receives usr/local/bin/tictactoe and usr/share/tictactoe/build-inputs.env
# Environment:
#   FACTS           the variant's facts (`tictactoe variant facts`): the architecture's machine
#                   and ELF names, its Static Linux SDK, the package-trait flags
#   SWIFT_SDK       `static` (the facts' STATIC_SDK_<arch>), the target triple of an installed
#                   Swift SDK (e.g. aarch64-unknown-linux-gnu), or empty to build natively, which
#                   needs the builder to run on ARCH
#   SCRATCH_ROOT    where SwiftPM's build folders live (a BuildKit cache mount); one per
#                   architecture and SDK, shared by both flavours
#   LIBYAML_SOURCE  libyaml's source tarball, used when the SDK carries no libyaml (musl SDKs)
set -eu
arch="$1"; out="$2"
fail() { echo "error: $*" >&2; exit 1; }
# shellcheck disable=SC1090
. "${FACTS:?FACTS must name the variant's facts.env}"
eval "machine=\${MACHINE_$arch:-}; elf=\${ELF_MACHINE_$arch:-}; static_sdk=\${STATIC_SDK_$arch:-}"
[ -n "$machine" ] || fail "unknown ARCH '$arch'; valid: $ALL_ARCHITECTURES"
sdk="${SWIFT_SDK:-}"
[ "$sdk" = static ] && sdk="$static_sdk"
builder="$(uname -m)"
if [ -z "$sdk" ]; then
  [ "$builder" = "$machine" ] || fail "the builder runs on $builder and no SWIFT_SDK was given for $machine: pass a Swift SDK whose triple starts with $machine- (make SWIFT_SDK_$arch=...)"
  sdk_flags=""
  libyaml=""
  yaml_origin=builder
else
  case "$sdk" in "$machine"-*) ;; *) fail "Swift SDK '$sdk' does not build for $arch: its triple must start with $machine-" ;; esac
  sdk_flags="--swift-sdk $sdk"
  # A Debian-made SDK carries the target's libyaml; the Static Linux SDK (musl) does not.
  libyaml="$(find "$HOME/.swiftpm/swift-sdks" "$HOME/.config/swiftpm/swift-sdks" -name libyaml.a -path "*$machine*" 2>/dev/null | head -n 1 || true)"
  yaml_origin=sdk
  if [ -z "$libyaml" ]; then
    yaml_origin=source
    libyaml="$(scripts/build/libyaml-for-target.sh "$sdk" "${LIBYAML_SOURCE:?the SDK has no libyaml; LIBYAML_SOURCE must name its source tarball}")"
  fi
fi
scripts/build/static-libs.sh $libyaml
scratch="${SCRATCH_ROOT:?}/$arch-${sdk:-native}"
export PKG_CONFIG_PATH="$PWD/.build/static-libs"
# Cold: the dependencies have not been compiled in this folder yet. The image tests read this line.
state=cold
find "$scratch" -maxdepth 3 -type d -name NIOPosix.build 2>/dev/null | grep -q . && state=incremental
echo "tictactoe-compile: $state in $scratch"
# shellcheck disable=SC2086 # flag lists are split on purpose
scripts/build/swift-build.sh "$scratch" $(cat scripts/build/release-flags) $sdk_flags $SWIFT_TRAIT_FLAGS
# shellcheck disable=SC2086
bin="$(scripts/build/swift-build.sh "$scratch" -c release $sdk_flags $SWIFT_TRAIT_FLAGS --show-bin-path)/tictactoe"
scripts/build/check-elf.sh "$bin" "$elf" "$arch" || fail "the SDK '$sdk' built for another architecture"

install -D -m 0755 "$bin" "$out$BINARY_PATH"

# What went into the binary besides the Swift packages, for the image's SBOM (scripts/sbom.py).
yaml_sha=""
case "$yaml_origin" in
  builder) yaml_version="$(pkg-config --modversion yaml-0.1)" ;;
  source)
    yaml_version="$(tar -tzf "$LIBYAML_SOURCE" | head -n 1 | sed -n 's|^yaml-\([0-9.]*\)/.*|\1|p')"
    yaml_sha="$(sha256sum "$LIBYAML_SOURCE" | cut -d' ' -f1)" ;;
  sdk) yaml_version="$(find "$(dirname "$libyaml")" -name yaml-0.1.pc -exec sed -n 's/^Version: *//p' {} + 2>/dev/null | head -n 1)" ;;
esac
mkdir -p "$out/usr/share/tictactoe"
{
  echo "SWIFT_VERSION=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)"
  echo "SWIFT_SDK=${sdk:-native}"
  echo "LIBYAML_ORIGIN=$yaml_origin"
  echo "LIBYAML_VERSION=$yaml_version"
  echo "LIBYAML_SHA256=$yaml_sha"
} >"$out/usr/share/tictactoe/build-inputs.env"
