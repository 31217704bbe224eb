#!/usr/bin/env bash
# Test infrastructure for the image tests, on loopback only: a Docker engine (no bridge, no
# iptables), a registry on 127.0.0.1:$REGISTRY_PORT standing in for ECR, and a stand-in for the
# distroless runtime image made from this machine's Debian packages (nothing can be pulled here).
# Idempotent; every wait is bounded. Prints KEY=VALUE lines for the tests.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="$ROOT/build/test-docker"
REGISTRY_PORT="${REGISTRY_PORT:-5999}"
STANDIN="tictactoe-test/runtime-standin:bookworm"
mkdir -p "$WORK"

wait_for() {  # wait_for SECONDS DESCRIPTION COMMAND...
  local seconds="$1" what="$2"; shift 2
  for _ in $(seq 1 $((seconds * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "error: $what did not come up within ${seconds}s" >&2; return 1
}

DOCKER=/usr/bin/docker
if ! $DOCKER info >/dev/null 2>&1; then
  nohup dockerd --bridge=none --iptables=false --ip-masq=false --host=unix:///var/run/docker.sock \
    >"$WORK/dockerd.log" 2>&1 &
  wait_for 60 "dockerd (see $WORK/dockerd.log)" $DOCKER info
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
  nohup docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 &
  wait_for 30 "the registry on 127.0.0.1:$REGISTRY_PORT" curl -fsS "http://127.0.0.1:$REGISTRY_PORT/v2/"
fi

# The runtime stand-in: glibc, libgcc and libstdc++ from Debian, and the nonroot user (65532)
# that distroless images define; the same shape as gcr.io/distroless/cc-debian12:nonroot.
if ! $DOCKER image inspect "$STANDIN" >/dev/null 2>&1; then
  rm -rf "$WORK/rootfs" "$WORK/debs"; mkdir -p "$WORK/rootfs" "$WORK/debs"
  (cd "$WORK/debs" && apt-get download -qq libc6 libgcc-s1 libstdc++6 tzdata netbase >/dev/null)
  for deb in "$WORK"/debs/*.deb; do dpkg-deb -x "$deb" "$WORK/rootfs"; done
  mkdir -p "$WORK/rootfs"/{etc,tmp,home/nonroot,root}
  chmod 1777 "$WORK/rootfs/tmp"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$WORK/rootfs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$WORK/rootfs/etc/group"
  rm -rf "$WORK/rootfs/usr/share/doc" "$WORK/rootfs/usr/share/man" "$WORK/rootfs/usr/share/lintian"
  tar -C "$WORK/rootfs" -c . | $DOCKER import --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' - "$STANDIN" >/dev/null
fi

echo "DOCKER=$DOCKER"
echo "REGISTRY=127.0.0.1:$REGISTRY_PORT"
echo "RUNTIME_STANDIN=$STANDIN"
