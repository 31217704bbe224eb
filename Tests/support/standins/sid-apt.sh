#!/usr/bin/env bash
# apt-get against Debian sid and trixie without touching the system's sources: a private APT
# configuration under $STANDIN_WORK/apt. The archive here is a frozen snapshot whose Release
# files have expired, hence Check-Valid-Until=false.
# Usage: Tests/support/standins/sid-apt.sh update | download DIR PACKAGE[:ARCH]... | source DIR PACKAGE
set -euo pipefail
: "${STANDIN_WORK:?set STANDIN_WORK}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
dir="$STANDIN_WORK/apt"
mkdir -p "$dir"/etc/apt/{apt.conf.d,preferences.d,sources.list.d,trusted.gpg.d} "$dir"/var/lib/apt/lists/partial \
  "$dir"/var/cache/apt/archives/partial "$dir"/var/lib/dpkg
touch "$dir/var/lib/dpkg/status"
cat >"$dir/etc/apt/sources.list" <<SOURCES
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR sid main
deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR trixie main
deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $MIRROR sid main
SOURCES
cat >"$dir/apt.conf" <<CONF
Dir "$dir/";
Dir::State "$dir/var/lib/apt/";
Dir::State::status "$dir/var/lib/dpkg/status";
Dir::Etc "$dir/etc/apt/";
Dir::Cache "$dir/var/cache/apt/";
APT::Architectures { "amd64"; "arm64"; };
Acquire::Check-Valid-Until "false";
APT::Sandbox::User "root";
CONF
export APT_CONFIG="$dir/apt.conf"
case "${1:-}" in
  update)
    # One update a day is enough: the snapshot does not move.
    if [ -z "$(find "$dir/var/lib/apt/lists" -maxdepth 1 -name '*Packages*' -mtime -1 2>/dev/null | head -1)" ]; then
      apt-get update -qq
    fi ;;
  download)
    dest="$2"; shift 2
    mkdir -p "$dest"
    (cd "$dest" && apt-get download -qq "$@") ;;
  source)
    mkdir -p "$2"
    (cd "$2" && apt-get source --download-only -qq "$3") ;;
  *) echo "usage: $0 update | download DIR PACKAGE... | source DIR PACKAGE" >&2; exit 2 ;;
esac
