#!/usr/bin/env bash
# Builds one image of one variant: `make image ARCH=arm64 VARIANT=perfect`. Needs Docker with
# BuildKit's buildx and nothing else (no Swift on the host): the variant is read inside the build
# by `tictactoe-variant` (the same Config code as the server), exported first so that a wrong
# ARCH, VARIANT or SDK is refused before the long compile starts.
#
# Usage: scripts/image.sh facts|build|run|smoke ARCH VARIANT
#   facts   only export the variant's facts to build/docker/facts/VARIANT (used by make images/push)
#   build   export the facts, check them, build and tag REPO:VARIANT-ARCH and REPO:VARIANT-VERSION-ARCH
#   run     run the built image here on the variant's port (a foreign ARCH needs binfmt/qemu)
#   smoke   run it in the background, play one short game against it (the image's own
#           `tictactoe smoke`, run in the container), stop it
# Environment (all optional; make passes what it is given):
#   DOCKER          the docker client (default: docker)
#   REPO VERSION REVISION SOURCE_DATE_EPOCH   tags, labels and file times
#   BUILDER_IMAGE   image with Swift (and SWIFT_SDK installed unless SWIFT_SDK_URL installs it)
#   SWIFT_SDK       the target triple to cross-compile for; `static` (the Dockerfiles' default)
#                   is the Static Linux SDK's; set but empty = native build
#   SWIFT_SDK_URL SWIFT_SDK_CHECKSUM   the SDK to install in the builder; set but empty = none
#   RUNTIME_IMAGE   the base of the final image (default in the Dockerfile: scratch)
#   RDS_CA_BUNDLE_URL   where to download Amazon RDS's CA bundle instead of the facts' URL
#                       (file:///opt/… for a builder that carries it)
#   RDS_CA_BUNDLE_LOCK  the lock file that pins it (default rds-ca-bundle.lock; written on first use)
#   SWIFTPM_MIRROR  folder of bare git repositories standing in for github.com (offline builds)
#   BUILD_NETWORK   network of the build's RUN steps (host on machines without a bridge)
#   NO_CACHE        non-empty: run every Dockerfile step again (SwiftPM's cache mount stays)
#   BINARY          package this release binary (built for ARCH, e.g. by `make release`) instead
#                   of compiling one in the builder: seconds instead of a compile, for machines
#                   whose binary runs on RUNTIME_IMAGE (the tests' glibc stand-ins do)
set -euo pipefail
cd "$(dirname "$0")/.."
mode="$1"; arch="$2"; variant="$3"
case "$mode" in facts|build|run|smoke) ;; *) echo "usage: $0 facts|build|run|smoke ARCH VARIANT" >&2; exit 2 ;; esac
DOCKER="${DOCKER:-docker}"
fail() { echo "error: $*" >&2; exit 2; }

# One Dockerfile per architecture: the files name the valid ARCH values.
[ -f "Dockerfile.$arch" ] || fail "unknown ARCH '$arch'; valid: $(ls Dockerfile.* | sed 's/^Dockerfile\.//' | paste -sd' ')"
variants="$(ls variants | sed -n 's/\.yaml$//p' | paste -sd' ')"
[ -f "variants/$variant.yaml" ] || fail "unknown VARIANT '$variant'; valid: $variants"
command -v "$DOCKER" >/dev/null || fail "docker is missing: install Docker (Debian: apt-get install docker.io; macOS: Docker Desktop)"
"$DOCKER" buildx version >/dev/null 2>&1 \
  || fail "docker buildx is missing: install the buildx plugin (Debian trixie and later: apt-get install docker-buildx; Docker Desktop has it)"
daemon_arch="$("$DOCKER" version --format '{{.Server.Arch}}' 2>/dev/null)" \
  || fail "cannot reach the Docker engine: start it (systemctl start docker) or set DOCKER_HOST"

repo="${REPO:-tictactoe}"; version="${VERSION:-dev}"
# Docker's grammar for a repository: an optional registry host, then lowercase path components.
path="$repo"
case "${repo%%/*}" in *.*|*:*|localhost) [ "$repo" != "${repo#*/}" ] && path="${repo#*/}" ;; esac
echo "$path" | grep -Eqx '[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*' \
  || fail "REPO=$repo is not an image repository name: after an optional registry host, use lowercase letters and digits, joined by . _ - or / (e.g. tictactoe, or 123456789012.dkr.ecr.us-east-1.amazonaws.com/tictactoe)"
if [ "$mode" = run ] || [ "$mode" = smoke ]; then
  # The tag is the one the last build of this variant used (its exported facts name it).
  facts="build/docker/facts/$variant/facts.env"
  [ -f "$facts" ] || fail "no image of $variant has been built here: build it with make image ARCH=$arch VARIANT=$variant"
  # shellcheck disable=SC1090
  . "$facts"
  image="$repo:$(eval echo "\$IMAGE_TAG_$arch")"
  "$DOCKER" image inspect "$image" >/dev/null 2>&1 || fail "no image $image: build it with make image ARCH=$arch VARIANT=$variant"
  port="$("$DOCKER" image inspect -f '{{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}}' "$image" | cut -d/ -f1)"
  if [ "$daemon_arch" != "$arch" ]; then
    # Running (not building) a foreign image needs the kernel to hand its binaries to qemu.
    probe="$("$DOCKER" run --rm --platform "linux/$arch" --entrypoint "$BINARY_PATH" "$image" --version 2>&1)" \
      || fail "this $daemon_arch machine cannot run $arch binaries ($probe): register qemu with binfmt_misc: apt-get install qemu-user-static binfmt-support, or docker run --privileged --rm tonistiigi/binfmt --install $arch"
  fi
  run_args=(--rm --platform "linux/$arch" --read-only --tmpfs /tmp --cap-drop ALL)
  if [ "$mode" = smoke ]; then
    name="tictactoe-smoke-$variant-$arch"
    "$DOCKER" rm -f "$name" >/dev/null 2>&1 || true
    if [ "${BUILD_NETWORK:-}" = host ]; then run_args+=(--network host); else run_args+=(-p "127.0.0.1:$port:$port"); fi
    "$DOCKER" run -d --name "$name" "${run_args[@]}" "$image" >/dev/null
    status=0
    "$DOCKER" exec "$name" "$BINARY_PATH" smoke "http://127.0.0.1:$port" --wait 120 || status=$?
    [ "$status" = 0 ] || "$DOCKER" logs "$name" 2>&1 | tail -20 >&2
    "$DOCKER" stop --time 10 "$name" >/dev/null
    exit "$status"
  fi
  echo "serving $image on http://localhost:$port (Ctrl-C stops)"
  [ -t 0 ] && run_args+=(-it)
  if [ "${BUILD_NETWORK:-}" = host ]; then run_args+=(--network host); else run_args+=(-p "$port:$port"); fi
  exec "$DOCKER" run "${run_args[@]}" "$image"
fi

if [ -n "${BUILDER_IMAGE:-}" ] && builder_arch="$("$DOCKER" image inspect -f '{{.Architecture}}' "$BUILDER_IMAGE" 2>/dev/null)"; then
  [ "$builder_arch" = "$daemon_arch" ] \
    || fail "BUILDER_IMAGE $BUILDER_IMAGE is $builder_arch but this machine builds on $daemon_arch: its compiler would run under emulation (about 15x slower); use a $daemon_arch builder with a Swift SDK for $arch"
fi

# The SwiftPM mirror travels in the build context; an empty folder means github.com.
mirror=build/docker/swiftpm-mirror
mkdir -p "$mirror"
if [ -n "${SWIFTPM_MIRROR:-}" ]; then
  [ -d "$SWIFTPM_MIRROR" ] || fail "SWIFTPM_MIRROR=$SWIFTPM_MIRROR is not a folder"
  if [ ! -d "$mirror/packages" ] || [ "$(cat "$mirror/source" 2>/dev/null)" != "$SWIFTPM_MIRROR" ]; then
    rm -rf "$mirror/packages"
    cp -al "$SWIFTPM_MIRROR" "$mirror/packages" 2>/dev/null || cp -a "$SWIFTPM_MIRROR" "$mirror/packages"
    echo "$SWIFTPM_MIRROR" >"$mirror/source"
  fi
  printf '[url "/swiftpm-mirror/packages/"]\n\tinsteadOf = https://github.com/\n[safe]\n\tdirectory = *\n' >"$mirror/gitconfig"
else
  rm -rf "$mirror/packages" "$mirror/gitconfig" "$mirror/source"
fi

build_args=(--file "Dockerfile.$arch" --platform "linux/$arch" --build-arg "VARIANT=$variant")
[ -n "${BUILD_NETWORK:-}" ] && build_args+=(--network "$BUILD_NETWORK")
[ -n "${NO_CACHE:-}" ] && build_args+=(--no-cache)
[ -n "${BUILDER_IMAGE:-}" ] && build_args+=(--build-arg "BUILDER_IMAGE=$BUILDER_IMAGE")
[ "${SWIFT_SDK_URL+set}" = set ] && build_args+=(--build-arg "SWIFT_SDK_URL=$SWIFT_SDK_URL")
[ -n "${SWIFT_SDK_CHECKSUM:-}" ] && build_args+=(--build-arg "SWIFT_SDK_CHECKSUM=$SWIFT_SDK_CHECKSUM")
[ -n "${RDS_CA_BUNDLE_URL:-}" ] && build_args+=(--build-arg "RDS_CA_BUNDLE_URL=$RDS_CA_BUNDLE_URL")

# The binary reports the version the tags and labels carry (Sources/CVersion).
scripts/write-version.sh "$version"
facts="build/docker/facts/$variant"
rm -rf "$facts"
"$DOCKER" buildx build "${build_args[@]}" --target facts --output "type=local,dest=$facts" . >"build/docker/facts-$variant.log" 2>&1 \
  || { tail -30 "build/docker/facts-$variant.log" >&2; fail "reading variants/$variant.yaml failed (log: build/docker/facts-$variant.log)"; }
given_bundle_url="${RDS_CA_BUNDLE_URL:-}"
# shellcheck disable=SC1090
. "$facts/facts.env"
[ "$mode" = facts ] && exit 0
bundle_url="${given_bundle_url:-$RDS_CA_BUNDLE_URL}"
eval "machine=\$MACHINE_$arch; elf=\$ELF_MACHINE_$arch"

case " $ARCHITECTURES " in
  *" $arch "*) ;;
  *) fail "variants/$variant.yaml lists deploy.architectures [$ARCHITECTURES], not $arch: add $arch there or pick ARCH from that list" ;;
esac
# A builder/SDK that does not match the target is refused here, before the long compile.
if [ "${SWIFT_SDK+set}" = set ]; then
  if [ -z "$SWIFT_SDK" ]; then
    [ "$daemon_arch" = "$arch" ] || fail "SWIFT_SDK_$arch is empty (a native build), but the builder runs on $daemon_arch: name a Swift SDK whose triple starts with $machine-"
  elif [ "$SWIFT_SDK" != static ]; then
    case "$SWIFT_SDK" in "$machine"-*) ;; *)
      fail "SWIFT_SDK_$arch=$SWIFT_SDK does not build for $arch: its triple must start with $machine- (e.g. $machine-swift-linux-musl)" ;; esac
  fi
  build_args+=(--build-arg "SWIFT_SDK=$SWIFT_SDK")
fi
if [ -n "${BINARY:-}" ]; then
  [ -f "$BINARY" ] || fail "BINARY=$BINARY is not a file: build it first (make release)"
  scripts/build/check-elf.sh "$BINARY" "$elf" "$arch" || fail "BINARY=$BINARY cannot be packaged for $arch: leave BINARY empty to compile one"
  mkdir -p "build/docker/$arch"
  cp "$BINARY" "build/docker/$arch/tictactoe"
  # What the compile stage records of its inputs (scripts/build/compile-for-image.sh), here of this host.
  {
    echo "SWIFT_VERSION=$( (swift --version 2>/dev/null || true) | sed -n 's/.*Swift version \([^ ]*\).*/\1/p' | head -n 1)"
    echo "SWIFT_SDK=host"
    echo "LIBYAML_ORIGIN=host"
    echo "LIBYAML_VERSION=$(pkg-config --modversion yaml-0.1 2>/dev/null || true)"
    echo "LIBYAML_SHA256="
  } >"build/docker/$arch/build-inputs.env"
  build_args+=(--build-arg BINARY_FROM=prebuilt)
fi
# PostgreSQL variants carry Amazon RDS's CA bundle: downloaded in the build, exported, and pinned
# by its lock file (recorded on first use; a changed bundle stops here, saying what changed).
if [ -n "$RDS_CA_BUNDLE" ]; then
  bundle=build/docker/rds-ca-bundle
  rm -rf "$bundle"
  "$DOCKER" buildx build "${build_args[@]}" --target rds-ca-bundle --output "type=local,dest=$bundle" . >"build/docker/rds-ca-bundle.log" 2>&1 \
    || { tail -30 build/docker/rds-ca-bundle.log >&2; fail "downloading Amazon RDS's CA bundle from $bundle_url failed (log: build/docker/rds-ca-bundle.log)"; }
  pinned="$(python3 scripts/build/rds-ca-lock.py "$bundle/rds-ca-bundle.pem" "${RDS_CA_BUNDLE_LOCK:-rds-ca-bundle.lock}" --source "$bundle_url")" || exit 1
  build_args+=(--build-arg "RDS_CA_BUNDLE_SHA256=$pinned")
fi

[ -n "${RUNTIME_IMAGE:-}" ] && build_args+=(--build-arg "RUNTIME_IMAGE=$RUNTIME_IMAGE")
tag="$repo:$(eval echo "\$IMAGE_TAG_$arch")"
release_tag="$repo:$(eval echo "\$RELEASE_TAG_$arch" | sed "s/{version}/$version/")"
echo "building $tag and $release_tag (port $PORT, backend $BACKEND)"
start=$(date +%s.%N)
"$DOCKER" buildx build "${build_args[@]}" --load \
  --build-arg "PORT=$PORT" \
  --build-arg "VERSION=$version" --build-arg "REVISION=${REVISION:-unknown}" \
  --build-arg "SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-0}" \
  --build-arg "DEPENDENCIES=$(paste -sd, "$facts/dependencies.txt")" \
  --tag "$tag" --tag "$release_tag" .
awk -v s="$start" -v e="$(date +%s.%N)" -v t="$tag" 'BEGIN { printf "built %s in %.1f s\n", t, e - s }'
