#!/bin/sh
# Writes VERSION into Sources/CVersion/version.generated.h, which the binary reports
# (`tictactoe --version`, start-up log, metrics) and which the image labels and tags also take
# from make's VERSION: one version, from git. Rewrites the file only when the version changed,
# so that an unchanged version compiles nothing.
# Usage: scripts/write-version.sh VERSION
set -eu
version="${1:?usage: scripts/write-version.sh VERSION}"
case "$version" in *[!A-Za-z0-9._+-]*) echo "error: VERSION '$version' may hold only letters, digits and . _ + -" >&2; exit 2 ;; esac
file="$(dirname "$0")/../Sources/CVersion/version.generated.h"
line="#define TICTACTOE_VERSION \"$version\""
[ -f "$file" ] && [ "$(cat "$file")" = "$line" ] && exit 0
echo "$line" >"$file"
