#!/usr/bin/env bash
# Pushes a variant's per-architecture images, then a manifest list over them, to ECR or any
# registry. Called by `make push`; `make -n push` runs it with --dry-run to print the plan.
#
# Tags (named by the variant's facts, `tictactoe variant facts`): REGISTRY/REPO:VARIANT-ARCH and
# :VARIANT-VERSION-ARCH per architecture; manifest lists REGISTRY/REPO:VARIANT and :VARIANT-VERSION. A version tag that already holds other content is
# never overwritten. With --signing-key, the list and the images it lists are signed by the
# digests this push made (scripts/signatures.py: cosign's format, stored in the registry beside them).
set -euo pipefail

dry_run=""
registry="" repo="" facts="" version="" region="" signing_key="" passphrase_file=""
while (($#)); do
  case "$1" in
    --dry-run) dry_run=1; shift ;;
    --registry) registry="$2"; shift 2 ;;
    --repo) repo="$2"; shift 2 ;;
    --facts) facts="$2"; shift 2 ;;
    --version) version="$2"; shift 2 ;;
    --region) region="$2"; shift 2 ;;
    --signing-key) signing_key="$2"; shift 2 ;;
    --passphrase-file) passphrase_file="$2"; shift 2 ;;
    *) echo "push.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for name in registry repo facts version; do
  [ -n "${!name}" ] || { echo "push.sh: --$name is required" >&2; exit 2; }
done
# shellcheck disable=SC1090
. "$facts"
variant="$VARIANT"; archs="$ARCHITECTURES"
tag_of() { eval "echo \"\$IMAGE_TAG_$1\""; }
release_tag_of() { eval "echo \"\$RELEASE_TAG_$1\"" | sed "s/{version}/$version/"; }
list_tag="$LIST_TAG"; release_list_tag="$(echo "$RELEASE_LIST_TAG" | sed "s/{version}/$version/")"
if [ -n "$signing_key" ]; then
  [ -f "$signing_key" ] || { echo "error: SIGNING_KEY=$signing_key is not a file (make one with scripts/sigstore-keygen.py PREFIX PASSPHRASE_FILE)" >&2; exit 2; }
  [ -n "$passphrase_file" ] && [ -f "$passphrase_file" ] \
    || { echo "error: SIGNING_KEY needs SIGNING_PASSPHRASE_FILE, the file holding its passphrase" >&2; exit 2; }
fi
case "$registry" in
  .dkr.ecr.*) echo "error: no AWS account: set AWS_ACCOUNT, configure the aws CLI, or pass REGISTRY=host[:port]" >&2; exit 1 ;;
esac

run() {
  echo "+ $*"
  [ -n "$dry_run" ] || "$@"
}

docker() { command "${DOCKER:-docker}" "$@"; }
command -v "${DOCKER:-docker}" >/dev/null || { echo "error: docker is missing: install Docker (Debian: apt-get install docker.io)" >&2; exit 1; }
docker buildx version >/dev/null 2>&1 \
  || { echo "error: docker buildx is missing: install the buildx plugin (Debian trixie and later: apt-get install docker-buildx; Docker Desktop has it)" >&2; exit 1; }

if [[ "$registry" == *.dkr.ecr.*.amazonaws.com ]]; then
  # The registry's host names its region; ECR logins and repositories live there.
  region="${registry#*.dkr.ecr.}"; region="${region%%.amazonaws.com}"
  command -v aws >/dev/null || { echo "error: the aws CLI is missing: install it (pip install awscli)" >&2; exit 1; }
  echo "+ aws ecr get-login-password --region $region | docker login --username AWS --password-stdin $registry"
  if [ -z "$dry_run" ]; then
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  fi
  if [ -n "$dry_run" ] || ! aws ecr describe-repositories --region "$region" --repository-names "$repo" >/dev/null 2>&1; then
    run aws ecr create-repository --region "$region" --repository-name "$repo" \
      --image-scanning-configuration scanOnPush=true --image-tag-mutability MUTABLE
  fi
fi

# The image (config) digest a registry holds for a single-platform tag, or nothing; equals the
# local image id.
remote_image_id() {
  docker buildx imagetools inspect --raw "$1" 2>/dev/null \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["digest"])' 2>/dev/null || true
}

# Check every architecture before pushing any, so that a refusal changes nothing.
for arch in $archs; do
  local_tag="$repo:$(tag_of "$arch")"
  [ -n "$dry_run" ] && continue
  if ! local_id="$(docker image inspect -f '{{.Id}}' "$local_tag" 2>/dev/null)"; then
    echo "error: no local image $local_tag: build it first with make image ARCH=$arch VARIANT=$variant" >&2
    exit 1
  fi
  built_for="$(docker image inspect -f '{{.Architecture}}' "$local_tag")"
  if [ "$built_for" != "$arch" ]; then
    echo "error: $local_tag is a $built_for image, not $arch: rebuild it with make image ARCH=$arch VARIANT=$variant" >&2
    exit 1
  fi
  pinned="$registry/$repo:$(release_tag_of "$arch")"
  held="$(remote_image_id "$pinned")"
  if [ -n "$held" ] && [ "$held" != "$local_id" ]; then
    echo "error: $pinned already holds image $held, not $local_id; version tags are immutable: commit, then push a new VERSION" >&2
    exit 1
  fi
done

# Pushes a tag and prints the manifest digest the registry acknowledged for it (docker push ends
# with "TAG: digest: sha256:… size: N"); in a dry run, a placeholder.
push_digest() {
  local out digest
  echo "+ docker push $1" >&2
  if [ -n "$dry_run" ]; then echo "sha256:DIGEST-OF-${1##*:}"; return; fi
  out="$(docker push "$1")" || { echo "$out" >&2; return 1; }
  echo "$out" >&2
  digest="$(sed -n 's/.* digest: \(sha256:[0-9a-f]\{64\}\) size: .*/\1/p' <<<"$out" | tail -1)"
  [ -n "$digest" ] || { echo "error: docker push $1 named no digest" >&2; return 1; }
  echo "$digest"
}

# Every name below is built from the digests just pushed, never a tag read back, so the lists and
# signatures are of exactly this push even if someone moves a tag meanwhile.
sources=()
declare -A pushed
for arch in $archs; do
  local_tag="$repo:$(tag_of "$arch")"
  moving="$registry/$local_tag"
  pinned="$registry/$repo:$(release_tag_of "$arch")"
  run docker tag "$local_tag" "$moving"
  run docker tag "$local_tag" "$pinned"
  digest="$(push_digest "$moving")"
  pinned_digest="$(push_digest "$pinned")"
  [ -n "$dry_run" ] || [ "$digest" = "$pinned_digest" ] || { echo "error: $moving and $pinned were pushed as $digest and $pinned_digest" >&2; exit 1; }
  sources+=("$registry/$repo@$digest")
  pushed[$arch]="$digest"
done

# One manifest list over the per-architecture images just pushed, under both tags (buildx
# imagetools reads each member's platform from its config, so nothing needs annotating). The
# list's digest is the SHA-256 of the bytes its dry run prints (with a newline), which are the
# bytes it pushes.
list_digest="sha256:DIGEST-OF-THE-LIST"
if [ -z "$dry_run" ]; then
  list_digest="sha256:$(docker buildx imagetools create --dry-run --tag "$registry/$repo:$list_tag" "${sources[@]}" | head -c -1 | sha256sum | cut -d' ' -f1)"
fi
run docker buildx imagetools create --tag "$registry/$repo:$list_tag" --tag "$registry/$repo:$release_list_tag" "${sources[@]}"
# Each image's SBOM, beside it in the registry (scripts/sbom.py).
for arch in $archs; do
  run python3 scripts/sbom.py write "$repo:$(tag_of "$arch")" "build/sbom/$(tag_of "$arch").spdx.json"
  run python3 scripts/sbom.py attach "$registry/$repo@${pushed[$arch]}" "build/sbom/$(tag_of "$arch").spdx.json"
done
if [ -n "$signing_key" ]; then
  run python3 scripts/signatures.py sign "$registry/$repo@$list_digest" \
    --key "$signing_key" --passphrase-file "$passphrase_file"
else
  echo "note: not signed (no SIGNING_KEY): make verify and make deploy with VERIFY_KEY will refuse these images"
fi
if [ -z "$dry_run" ]; then
  echo "pushed $registry/$repo:$list_tag and :$release_list_tag ($list_digest) over: $archs"
fi
