#!/usr/bin/env python3
"""Where two builds of one binary differ: the number of differing bytes in each ELF section, so
that a reproducibility failure names its cause (a build id, Swift's `.swift_modhash`, code).

Usage: scripts/compare-binaries.py A B"""
import struct
import sys


def sections(data):
    """[(name, offset, size)] of a 64-bit little-endian ELF file's sections."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("error: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4]
    found = []
    for name, kind, _, _, offset, size, *_ in headers:
        end = data.index(b"\0", names_offset + name)
        if kind != 8:  # SHT_NOBITS has no bytes in the file
            found.append((data[names_offset + name:end].decode(), offset, size))
    return found


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    a, b = (open(path, "rb").read() for path in sys.argv[1:])
    if len(a) != len(b):
        print(f"sizes differ: {len(a)} and {len(b)} bytes")
        return 1
    differing = [i for i in range(len(a)) if a[i] != b[i]] if a != b else []
    print(f"{len(differing)} of {len(a)} bytes differ")
    if not differing:
        return 0
    counts = {}
    layout = sections(a)
    for i in differing:
        name = next((n for n, offset, size in layout if offset <= i < offset + size), "(outside sections)")
        counts[name] = counts.get(name, 0) + 1
    for name, count in sorted(counts.items(), key=lambda item: -item[1]):
        print(f"  {name}: {count}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
