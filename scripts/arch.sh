# Sourced by scripts/image.sh (on the host) and scripts/compile-for-image.sh (in the compile
# stage): the image architectures and what the toolchain calls them, in one place. The Makefile
# and the Dockerfiles speak only of amd64 and arm64.

# arch_machine ARCH: x86_64 or aarch64; fails, naming the valid architectures, for anything else.
arch_machine() {
  case "$1" in
    amd64) echo x86_64 ;;
    arm64) echo aarch64 ;;
    *) echo "error: unknown ARCH '$1'; valid: amd64 arm64" >&2; return 2 ;;
  esac
}

# sdk_builds_for TRIPLE MACHINE: whether a Swift SDK's target triple is for MACHINE.
sdk_builds_for() {
  case "$1" in "$2"-*) return 0 ;; *) return 1 ;; esac
}

# elf_machine_of MACHINE: the ELF header's e_machine for it (62 x86-64, 183 AArch64).
elf_machine_of() {
  if [ "$1" = x86_64 ]; then echo 62; else echo 183; fi
}
