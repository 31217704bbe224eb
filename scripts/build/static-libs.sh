#!/bin/sh
# Makes libyaml link statically into the release binary, so that images need no libyaml package.
# Puts libyaml's archive alone in .build/static-libs with a yaml-0.1.pc that points there; the
# release build runs with PKG_CONFIG_PATH=.build/static-libs, so -lyaml finds the archive.
# Usage: scripts/build/static-libs.sh [ARCHIVE]
#   ARCHIVE  the target's libyaml.a when cross-compiling (default: this machine's, from pkg-config)
# Used by `make release` and the Dockerfiles' compile stage (scripts/build/compile-for-image.sh).
set -eu
includedir="$(pkg-config --variable=includedir yaml-0.1)"
archive="${1:-$(pkg-config --variable=libdir yaml-0.1)/libyaml.a}"
[ -f "$archive" ] || { echo "error: $archive is missing: install libyaml-dev" >&2; exit 1; }
dir="$(pwd)/.build/static-libs"
mkdir -p "$dir"
ln -sf "$archive" "$dir/libyaml.a"
cat >"$dir/yaml-0.1.pc" <<PC
Name: LibYAML (static)
Description: libyaml's archive for static linking
Version: $(pkg-config --modversion yaml-0.1)
Cflags: -I$includedir
Libs: -L$dir -lyaml
PC
