#!/bin/sh
# The compile stage of Dockerfile.amd64/arm64: builds the release binary on the build platform for
# the image's architecture (cross-compiling through a Swift SDK when they differ), with the same
# flags as `make release` (scripts/release-flags), libyaml linked statically.
#
# Usage: scripts/compile-for-image.sh ARCH OUT [TRAIT_FLAGS]
#   ARCH         amd64 | arm64: the image's architecture
#   OUT          folder that receives usr/local/bin/tictactoe
#   TRAIT_FLAGS  from the variant's facts (`tictactoe-variant facts`: SWIFT_TRAIT_FLAGS)
# Environment:
#   SWIFT_SDK          target triple of an installed Swift SDK (e.g. aarch64-swift-linux-musl);
#                      empty builds natively, which needs the builder to run on ARCH
#   SCRATCH            SwiftPM's build folder (a BuildKit cache mount, one per architecture, SDK and flavour)
#   LIBYAML_SOURCE     libyaml's source tarball, used when the SDK carries no libyaml (musl SDKs)
# swift build runs with a fixed environment: build arguments (the variant's port) reach RUN steps
# as environment variables, and SwiftPM rebuilds everything when its
# environment changes, which would defeat the cache mount.
set -eu
arch="$1"; out="$2"; traits="${3:-}"
fail() { echo "error: $*" >&2; exit 1; }
. scripts/arch.sh
machine="$(arch_machine "$arch")" || exit 1
builder="$(uname -m)"
if [ -z "${SWIFT_SDK:-}" ]; then
  [ "$builder" = "$machine" ] || fail "the builder runs on $builder and no SWIFT_SDK was given for $machine: pass a Swift SDK whose triple starts with $machine- (make SWIFT_SDK_$arch=...)"
  sdk_flags=""
  libyaml=""
  yaml_origin=builder
else
  sdk_builds_for "$SWIFT_SDK" "$machine" || fail "Swift SDK '$SWIFT_SDK' does not build for $arch: its triple must start with $machine-"
  sdk_flags="--swift-sdk $SWIFT_SDK"
  # A Debian-made SDK carries the target's libyaml; the Static Linux SDK (musl) does not.
  libyaml="$(find "$HOME/.swiftpm/swift-sdks" "$HOME/.config/swiftpm/swift-sdks" -name libyaml.a -path "*$machine*" 2>/dev/null | head -n 1 || true)"
  yaml_origin=sdk
  if [ -z "$libyaml" ]; then
    yaml_origin=source
    libyaml="$(scripts/libyaml-for-target.sh "$SWIFT_SDK" "${LIBYAML_SOURCE:?the SDK has no libyaml; LIBYAML_SOURCE must name its source tarball}")"
  fi
fi
scripts/static-libs.sh $libyaml
swift_build() {
  env -i PATH="$PATH" HOME="$HOME" ${GIT_CONFIG_GLOBAL:+GIT_CONFIG_GLOBAL="$GIT_CONFIG_GLOBAL"} \
    PKG_CONFIG_PATH="$PWD/.build/static-libs" swift build --scratch-path "$SCRATCH" "$@"
}
# Cold: the dependencies have not been compiled in this folder yet. The image tests read this line.
state=cold
find "$SCRATCH" -maxdepth 3 -type d -name NIOPosix.build 2>/dev/null | grep -q . && state=incremental
echo "tictactoe-compile: $state in $SCRATCH"
# shellcheck disable=SC2086 # flag lists are split on purpose
swift_build $(cat scripts/release-flags) $sdk_flags $traits
# shellcheck disable=SC2086
bin="$(swift_build -c release $sdk_flags $traits --show-bin-path)/tictactoe"

# The binary must be for ARCH: ELF e_machine, bytes 18-19, little-endian.
expected="$(elf_machine_of "$machine")"
found="$(od -An -tu2 -j18 -N2 "$bin" | tr -d ' ')"
[ "$found" = "$expected" ] || fail "$bin has ELF machine $found, not $expected ($machine): the SDK built for another architecture"

install -D -m 0755 "$bin" "$out/usr/local/bin/tictactoe"

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
  echo "SWIFT_SDK=${SWIFT_SDK:-native}"
  echo "LIBYAML_ORIGIN=$yaml_origin"
  echo "LIBYAML_VERSION=$yaml_version"
  echo "LIBYAML_SHA256=$yaml_sha"
} >"$out/usr/share/tictactoe/build-inputs.env"
