#!/usr/bin/env python3
"""Whether two local images are the same build, and where they differ when they are not.

Prints both images' digests side by side: the image id (the digest of the config, which names
every layer by the digest of its content) and each layer's digest. When they differ, names what
differs first: a config field (times, labels, environment), or the first file, in layer order,
whose kind, owner, mode, time or bytes differ; for an ELF file also the sections its bytes differ
in (scripts/compare-binaries.py). Exits 0 when the images are the same, 1 when not.

Usage: scripts/compare-images.py IMAGE_A IMAGE_B      (DOCKER names the client; default docker)
"""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile

DOCKER = os.environ.get("DOCKER", "docker")


def inspect(ref):
    result = subprocess.run([DOCKER, "image", "inspect", ref], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"error: no local image {ref}: {result.stderr.strip()}")
    return json.loads(result.stdout)[0]


def saved(ref, folder):
    """The image as `docker save` writes it: {member name: bytes} of the archive."""
    path = os.path.join(folder, "image.tar")
    with open(path, "wb") as out:
        subprocess.run([DOCKER, "save", ref], stdout=out, check=True)
    with tarfile.open(path) as archive:
        return {m.name: archive.extractfile(m).read() for m in archive.getmembers() if m.isfile()}


def layer_entries(archive):
    """[(layer index, path, description, bytes or None)] of every file in every layer, in order."""
    manifest = json.loads(archive["manifest.json"])[0]
    entries = []
    for index, layer in enumerate(manifest["Layers"]):
        with tarfile.open(fileobj=io.BytesIO(archive[layer])) as tar:
            for m in tar.getmembers():
                data = tar.extractfile(m).read() if m.isfile() else None
                digest = hashlib.sha256(data).hexdigest()[:16] if data is not None else ""
                kind = {tarfile.REGTYPE: "file", tarfile.DIRTYPE: "dir", tarfile.SYMTYPE: "symlink"}.get(m.type, m.type)
                description = (f"{kind} mode {m.mode:o} owner {m.uid}:{m.gid} mtime {m.mtime} size {m.size}"
                               + (f" sha256 {digest}…" if digest else "") + (f" -> {m.linkname}" if m.linkname else ""))
                entries.append((index, m.name, description, data))
    return entries


def differing_config_fields(a, b, prefix=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            yield from differing_config_fields(a.get(key), b.get(key), f"{prefix}.{key}" if prefix else key)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from differing_config_fields(x, y, f"{prefix}[{i}]")
    elif a != b:
        yield prefix, a, b


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    refs = sys.argv[1:]
    infos = [inspect(ref) for ref in refs]
    print(f"{'':14}{refs[0]:<73}  {refs[1]}")
    print(f"{'image id':14}{infos[0]['Id']:<73}  {infos[1]['Id']}")
    layers = [info["RootFS"]["Layers"] for info in infos]
    for i in range(max(map(len, layers))):
        row = [ls[i] if i < len(ls) else "(none)" for ls in layers]
        mark = "" if row[0] == row[1] else "   <- differs"
        print(f"{f'layer {i + 1}':14}{row[0]:<73}  {row[1]}{mark}")
    if infos[0]["Id"] == infos[1]["Id"]:
        print("same image")
        return 0
    with tempfile.TemporaryDirectory() as folder_a, tempfile.TemporaryDirectory() as folder_b:
        archives = [saved(refs[0], folder_a), saved(refs[1], folder_b)]
        configs = []
        for archive in archives:
            manifest = json.loads(archive["manifest.json"])[0]
            configs.append(json.loads(archive[manifest["Config"]]))
        if layers[0] == layers[1]:
            print("same layers; the configs differ in:")
            for field, x, y in differing_config_fields(configs[0], configs[1]):
                print(f"  {field}: {json.dumps(x)[:100]}  vs  {json.dumps(y)[:100]}")
            return 1
        entries = [layer_entries(archive) for archive in archives]
        for (la, pa, da, ba), (lb, pb, db, bb) in zip(*entries):
            if (la, pa, da) != (lb, pb, db):
                print(f"first differing file: layer {la + 1} {pa}: {da}")
                print(f"{'':22}layer {lb + 1} {pb}: {db}")
                if ba is not None and bb is not None and ba[:4] == bb[:4] == b"\x7fELF":
                    paths = [os.path.join(folder_a, "a.elf"), os.path.join(folder_b, "b.elf")]
                    for path, data in zip(paths, (ba, bb)):
                        with open(path, "wb") as f:
                            f.write(data)
                    compare = os.path.join(os.path.dirname(os.path.abspath(__file__)), "compare-binaries.py")
                    subprocess.run([sys.executable, compare, *paths])
                return 1
        print(f"the layers hold {len(entries[0])} and {len(entries[1])} entries, the same up to the shorter")
        return 1


if __name__ == "__main__":
    sys.exit(main())
