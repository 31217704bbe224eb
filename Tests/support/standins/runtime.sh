#!/usr/bin/env bash
# A runtime base for binaries from the builder stand-in (Tests/support/standins/builder.sh): Debian
# sid's glibc, libgcc and libstdc++ for ARCH, plus tzdata and netbase (/etc/services and
# /etc/protocols, which getaddrinfo reads), in the shape of gcr.io/distroless/cc. The binary is
# linked against sid's glibc 2.43, so bookworm's would not do.
# Usage: Tests/support/standins/runtime.sh amd64|arm64 TAG   (idempotent)
set -euo pipefail
ARCH="$1"; TAG="$2"
ROOT_DIR="$(cd "$(dirname "$0")/../../.." && pwd)"
: "${STANDIN_WORK:=$ROOT_DIR/build/test-docker}"
export STANDIN_WORK
DOCKER="${DOCKER:-docker}"
stamp="$(sha256sum "$0" | cut -c1-16)"
if $DOCKER image inspect "$TAG" >/dev/null 2>&1 \
  && [ "$($DOCKER image inspect -f '{{index .Config.Labels "io.tictactoe.standin"}}' "$TAG")" = "$stamp" ]; then
  exit 0
fi
work="$STANDIN_WORK/runtime-$ARCH"
rm -rf "$work"; mkdir -p "$work/debs" "$work/rootfs"
"$(dirname "$0")/sid-apt.sh" update
"$(dirname "$0")/sid-apt.sh" download "$work/debs" "libc6:$ARCH" "libgcc-s1:$ARCH" "libstdc++6:$ARCH" tzdata netbase
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/rootfs"; done
# Merged /usr, as on a Debian system: the binary's interpreter is /lib/ld-linux-aarch64.so.1 or
# /lib64/ld-linux-x86-64.so.2.
ln -s usr/lib "$work/rootfs/lib"
[ ! -d "$work/rootfs/usr/lib64" ] || ln -s usr/lib64 "$work/rootfs/lib64"
rm -rf "$work"/rootfs/usr/share/{doc,man,lintian,locale} "$work"/rootfs/usr/lib/*/gconv
tar -C "$work/rootfs" -cf "$work/rootfs.tar" .
# FROM scratch + ADD under --platform gives an image of that architecture (docker import would
# label it with the host's).
cat >"$work/Dockerfile" <<DOCKERFILE
FROM scratch
ADD rootfs.tar /
LABEL io.tictactoe.standin=$stamp
DOCKERFILE
$DOCKER buildx build --network host --platform "linux/$ARCH" --tag "$TAG" --load "$work" >"$work/build.log" 2>&1 \
  || { tail -20 "$work/build.log" >&2; exit 1; }
