#!/usr/bin/env python3
"""Figures of the container images (make bench-images, after make test-images built them):

- size of every built image, uncompressed (docker) and compressed (gzip of each layer, as a
  registry stores them);
- a game's life (create + 5 moves, wrk -t2 -c32 -d8s) served by the amd64 image's binary against
  the host's `make release` binary (glibc build), same config, alternating runs;
- one compile of a small Swift file natively and under qemu user emulation, for the ratio that
  cross-compiling avoids;
- the build and start-up times that the image tests recorded (build/figures/images.txt).

Usage: scripts/bench/bench_images.py BIN   (BIN: the host's release binary)
"""
import gzip
import io
import json
import os
import re
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import ROOT, free_port, start, stop, wait_ready, wrk, write_config  # noqa: E402

REPO = "tictactoe-test"
GAME_LIFE = os.path.join(ROOT, "scripts/bench/wrk/game-life.lua")


def environment():
    out = subprocess.run(["bash", os.path.join(ROOT, "Tests/support/docker-env.sh")], capture_output=True, text=True,
                         check=True, timeout=900).stdout
    return dict(line.split("=", 1) for line in out.split() if "=" in line)


def images(docker):
    out = subprocess.run([docker, "image", "ls", "--format", "{{.Repository}}:{{.Tag}}", REPO], capture_output=True,
                         text=True, check=True).stdout.split()
    return sorted(ref for ref in out if re.fullmatch(rf"{REPO}:[a-z]+-(amd64|arm64)", ref))


def sizes(docker):
    print("\n== Image sizes ==")
    print(f"{'image':<34} {'uncompressed':>13} {'compressed':>11}")
    for ref in images(docker):
        info = json.loads(subprocess.run([docker, "image", "inspect", ref], capture_output=True, text=True, check=True).stdout)[0]
        saved = subprocess.run([docker, "save", ref], capture_output=True, check=True).stdout
        compressed = 0
        with tarfile.open(fileobj=io.BytesIO(saved)) as archive:
            # manifest.json names the layers: `…/layer.tar` before Docker 25, `blobs/sha256/…` since.
            for layer in json.load(archive.extractfile("manifest.json"))[0]["Layers"]:
                compressed += len(gzip.compress(archive.extractfile(layer).read(), compresslevel=6))
        print(f"{ref:<34} {info['Size'] / 1e6:>10.1f} MB {compressed / 1e6:>8.1f} MB")


def throughput(docker, binary):
    print("\n== A game's life (create + 5 moves), wrk -t2 -c32 -d8s: image binary vs host glibc build ==")
    image = f"{REPO}:perfect-amd64"
    config = write_config("server: {host: 127.0.0.1, log_level: warning}\n")
    os.chmod(config, 0o644)  # the image's server runs as user 65532
    results = {"host release binary": [], f"{image} binary": []}
    for _ in range(2):
        port = free_port()
        host = start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/healthz", env={"PORT": str(port)})
        try:
            results["host release binary"].append(wrk(f"http://127.0.0.1:{port}", GAME_LIFE)[0])
        finally:
            stop(host)
        port = free_port()
        name = "tictactoe-bench-image"
        subprocess.run([docker, "rm", "-f", name], capture_output=True)
        subprocess.run([docker, "run", "-d", "--name", name, "--network", "host", "-e", f"PORT={port}",
                        "-v", f"{config}:/bench.yaml:ro", "-e", "TICTACTOE_CONFIG=/bench.yaml", image],
                       check=True, capture_output=True)
        try:
            wait_ready(f"http://127.0.0.1:{port}/healthz")
            results[f"{image} binary"].append(wrk(f"http://127.0.0.1:{port}", GAME_LIFE)[0])
        finally:
            subprocess.run([docker, "rm", "-f", name], capture_output=True)
    baseline = max(results["host release binary"])
    for name, runs in results.items():
        best = max(runs)
        print(f"{name:<40} {best:>9,.0f} req/s (runs: {', '.join(f'{r:,.0f}' for r in runs)}) = {best / baseline:.2f}× the host build")


def emulated_compile(docker, builder):
    print("\n== One compile (swiftc -O, 80 lines), native vs under qemu user emulation ==")
    source = "\n".join(f"func f{i}(_ x: [Int]) -> Int {{ x.map {{ $0 * {i} }}.filter {{ $0 % 3 == 0 }}.reduce(0, +) }}"
                       for i in range(80)) + "\nprint(f1([1, 2, 3]))\n"
    script = (
        "cat > /tmp/small.swift && cd /tmp && "
        "t0=$(date +%s.%N) && swiftc -O small.swift -o native >/dev/null && t1=$(date +%s.%N) && "
        "qemu-x86_64 -L / /usr/libexec/swift/bin/swift-frontend -frontend -c -O small.swift -module-name small "
        "-o emulated.o >/dev/null && t2=$(date +%s.%N) && "
        "/usr/libexec/swift/bin/swift-frontend -frontend -c -O small.swift -module-name small -o native.o >/dev/null && t3=$(date +%s.%N) && "
        "echo $t1 $t0 $t2 $t1 $t3 $t2"
    )
    qemu = "/usr/bin/qemu-x86_64-static"
    if not os.path.exists(qemu):
        print("qemu-user-static is not installed; skipped")
        return
    result = subprocess.run([docker, "run", "--rm", "-i", "--network", "host", "-v", f"{qemu}:/usr/bin/qemu-x86_64:ro",
                             builder, "sh", "-c", script], input=source, capture_output=True, text=True, timeout=1800)
    if result.returncode != 0:
        print("emulated compile failed:", result.stderr[-500:])
        return
    numbers = [float(v) for v in result.stdout.split()]
    driver, emulated, native = numbers[0] - numbers[1], numbers[2] - numbers[3], numbers[4] - numbers[5]
    print(f"frontend native {native:.1f} s, under qemu {emulated:.1f} s: {emulated / native:.1f}× slower "
          f"(whole driver, native: {driver:.1f} s). x86_64 code emulated on x86_64 by qemu's TCG stands in for arm64 on amd64;"
          f" building/notes measured 15× for arm64 swiftc under qemu on this machine.")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/tictactoe"))
    env = environment()
    docker = env["DOCKER"]
    sizes(docker)
    throughput(docker, binary)
    emulated_compile(docker, env["BUILDER_IMAGE"])
    figures = os.path.join(ROOT, "build/figures/images.txt")
    if os.path.exists(figures):
        print("\n== Recorded by the image tests ==")
        print(open(figures).read(), end="")


if __name__ == "__main__":
    main()
