#!/usr/bin/env bash
# Test infrastructure for the image tests, on loopback only, made from Debian packages because
# nothing can be pulled here:
#   - a Docker engine (trixie's dockerd 26.1, no bridge, no iptables) with the buildx plugin
#     (trixie's docker-buildx);
#   - qemu-user-static registered in binfmt_misc, so that arm64 images run;
#   - a registry on 127.0.0.1:$REGISTRY_PORT standing in for ECR;
#   - a builder standing in for the official Swift image + Static Linux SDK and Amazon RDS's CA
#     bundle, and runtime bases for its binaries (Tests/support/standins/).
# Idempotent; every wait is bounded. Prints, as KEY=VALUE lines, the make variables that let
# `make image` and `make push` run here: `make image $(Tests/support/docker-env.sh) ARCH=arm64`.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="$ROOT/build/test-docker"
REGISTRY_PORT="${REGISTRY_PORT:-5999}"
BUILDER="tictactoe-standin/swift-builder:$(sed -n 's/^ARG SWIFT_VERSION=//p' "$ROOT/Dockerfile.amd64")-sid"
export STANDIN_WORK="$WORK"
mkdir -p "$WORK"
# One set-up at a time: `make test` starts this in the background, and the image tests call it
# again and wait here until it is done (the servers it starts must not inherit the lock: 9>&-).
exec 9>"$WORK/.lock"
flock -w 900 9 || { echo "error: another Tests/support/docker-env.sh held $WORK/.lock for 15 minutes" >&2; exit 1; }

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "error: $what did not come up within ${seconds}s" >&2; return 1
}

DOCKER=/usr/bin/docker
export DOCKER
# The engine users have today, not bookworm's 20.10: trixie's dockerd 26.1 embeds BuildKit 0.13,
# which takes image and history times from SOURCE_DATE_EPOCH (0.8 stamps the wall clock into
# every image's config, so no two builds could ever share a digest). Its dockerd runs on
# bookworm's containerd and runc; /usr/bin/docker (API 1.41) talks to it.
ENGINE_VERSION=26.1.5+dfsg1-9+deb13u1+b1
DOCKERD="$WORK/engine/usr/sbin/dockerd"
if [ ! -x "$DOCKERD" ]; then
  "$ROOT/Tests/support/standins/sid-apt.sh" update
  rm -rf "$WORK/debs-engine"
  "$ROOT/Tests/support/standins/sid-apt.sh" download "$WORK/debs-engine" "docker.io=$ENGINE_VERSION" >&2
  mkdir -p "$WORK/engine"
  dpkg-deb --fsys-tarfile "$WORK"/debs-engine/docker.io_*.deb | tar -x -C "$WORK/engine" ./usr/sbin/dockerd
fi
server_major() { $DOCKER version --format '{{.Server.Version}}' 2>/dev/null | cut -d. -f1; }
if $DOCKER info >/dev/null 2>&1 && [ "$(server_major)" -lt 26 ]; then
  # An older engine from an earlier run (or the system's): stop it; images and cache stay in
  # /var/lib/docker, which the newer engine reads.
  echo "stopping Docker engine $($DOCKER version --format '{{.Server.Version}}') to start $ENGINE_VERSION" >&2
  kill "$(cat /var/run/docker.pid)"
  for _ in $(seq 1 150); do [ -e /var/run/docker.pid ] || break; sleep 0.2; done
  [ ! -e /var/run/docker.pid ] || { echo "error: the old dockerd did not stop within 30s" >&2; exit 1; }
fi
if ! $DOCKER info >/dev/null 2>&1; then
  nohup "$DOCKERD" --bridge=none --iptables=false --ip-masq=false --host=unix:///var/run/docker.sock \
    >"$WORK/dockerd.log" 2>&1 9>&- &
  wait_for 60 "dockerd (see $WORK/dockerd.log)" $DOCKER info
fi

if ! $DOCKER buildx version >/dev/null 2>&1; then
  "$ROOT/Tests/support/standins/sid-apt.sh" update
  "$ROOT/Tests/support/standins/sid-apt.sh" download "$WORK/debs-buildx" docker-buildx=0.13.1+ds1-3 >&2
  dpkg-deb --fsys-tarfile "$WORK"/debs-buildx/docker-buildx_*.deb \
    | tar -x -C / ./usr/libexec/docker/cli-plugins/docker-buildx
fi

if [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  mountpoint -q /proc/sys/fs/binfmt_misc || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  update-binfmts --enable qemu-aarch64 >&2
fi

if ! curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/" >/dev/null 2>&1; then
  cat >"$WORK/registry.yml" <<YAML
version: 0.1
storage:
  filesystem: {rootdirectory: $WORK/registry-data}
  delete: {enabled: true}
http:
  addr: 127.0.0.1:$REGISTRY_PORT
YAML
  nohup docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 9>&- &
  wait_for 30 "the registry on 127.0.0.1:$REGISTRY_PORT" curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/"
fi

"$ROOT/Tests/support/standins/builder.sh" "$BUILDER"
for arch in amd64 arm64; do
  "$ROOT/Tests/support/standins/runtime.sh" "$arch" "tictactoe-standin/runtime:sid-$arch"
done

echo "DOCKER=$DOCKER"
echo "REGISTRY=127.0.0.1:$REGISTRY_PORT"
echo "BUILDER_IMAGE=$BUILDER"
echo "SWIFT_SDK_URL="
echo "SWIFT_SDK_amd64="
echo "SWIFT_SDK_arm64=aarch64-unknown-linux-gnu"
echo "RUNTIME_IMAGE_amd64=tictactoe-standin/runtime:sid-amd64"
echo "RUNTIME_IMAGE_arm64=tictactoe-standin/runtime:sid-arm64"
# The builder stand-in carries a stand-in RDS CA bundle; its lock lives with the test files.
echo "RDS_CA_BUNDLE_URL=file:///opt/rds-ca-bundle.pem"
echo "RDS_CA_BUNDLE_LOCK=$WORK/rds-ca-bundle.lock"
echo "SWIFTPM_MIRROR=/opt/swift-packages"
echo "BUILD_NETWORK=host"
