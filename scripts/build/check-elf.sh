#!/bin/sh
# Fails unless FILE is an ELF executable for the machine EXPECTED names: the e_machine field of
# its header (bytes 18-19, little-endian), as the facts' ELF_MACHINE_<arch> gives it.
# Usage: scripts/build/check-elf.sh FILE EXPECTED ARCH
file="$1"; expected="$2"; arch="$3"
found="$(od -An -tu2 -j18 -N2 "$file" 2>/dev/null | tr -d ' ')"
[ "$found" = "$expected" ] && exit 0
echo "error: $file is not an $arch executable (ELF machine '${found:-none}', $arch is $expected): give a binary built for $arch" >&2
exit 1
