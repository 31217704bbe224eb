#!/bin/sh
# Builds libyaml.a for a Swift SDK's target from libyaml's source tarball, for SDKs that carry no
# libyaml (the Static Linux SDK, musl). SwiftPM compiles the C sources as a throwaway package
# with the SDK's own compiler settings, so the archive matches the target exactly.
# Usage: scripts/build/libyaml-for-target.sh SWIFT_SDK TARBALL   (prints the archive's path)
set -eu
sdk="$1"; tarball="$2"
[ -f "$tarball" ] || { echo "error: libyaml source $tarball is missing" >&2; exit 1; }
work="/tmp/libyaml-$sdk"
rm -rf "$work"; mkdir -p "$work/Sources/yaml/include"
tar -xzf "$tarball" -C "$work"
# yaml-0.2.5/ in the release tarball, libyaml-0.2.5/ in Debian's source tarball.
src="$(find "$work" -mindepth 1 -maxdepth 1 -type d -name '*yaml-*' | head -n 1)"
[ -n "$src" ] || { echo "error: $tarball holds no yaml-VERSION folder" >&2; exit 1; }
version="$(basename "$src" | sed 's/^.*yaml-//')"
major="${version%%.*}"; rest="${version#*.}"; minor="${rest%%.*}"; patch="${rest#*.}"
cp "$src"/src/*.c "$src"/src/*.h "$work/Sources/yaml/"
cp "$src/include/yaml.h" "$work/Sources/yaml/include/"
cat >"$work/Package.swift" <<SWIFT
// swift-tools-version:5.9
import PackageDescription
let package = Package(
    name: "yaml",
    products: [.library(name: "yaml", type: .static, targets: ["yaml"])],
    targets: [.target(name: "yaml", cSettings: [
        .define("YAML_VERSION_MAJOR", to: "$major"), .define("YAML_VERSION_MINOR", to: "$minor"),
        .define("YAML_VERSION_PATCH", to: "$patch"), .define("YAML_VERSION_STRING", to: "\"$version\""),
        .define("YAML_DECLARE_STATIC"), .unsafeFlags(["-w"]),
    ])]
)
SWIFT
(cd "$work" && swift build -c release --swift-sdk "$sdk" >&2)
objects="$(cd "$work" && swift build -c release --swift-sdk "$sdk" --show-bin-path)/yaml.build"
ar rcs "$work/libyaml.a" "$objects"/*.o
echo "$work/libyaml.a"
