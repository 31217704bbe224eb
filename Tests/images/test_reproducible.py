"""Two builds of one commit give the same image, byte for byte (`make test-reproducible`; not in
make test: four compiles per architecture, two of them from nothing).

For each architecture, the `perfect` image (a variant built for both) of HEAD is built three ways, each compiling in the
builder: from nothing (BuildKit's cache, compile folders included, pruned) in a clone; again from
nothing in a clone at another path; and incrementally in that second clone, after touching a
source file and building the previous commit that changed the sources. The three must have the
same image id (the digest of the config, which names every layer by its content) and, pushed to
the local registry, the same manifest digest. scripts/compare-images.py prints the digests side
by side, and the first differing file when they differ; its output goes to
build/figures/reproducible.txt with the build times."""
import os
import re
import subprocess
import time

import pytest

from conftest import ROOT, docker, inspect, sh

ARCHS = os.environ.get("TICTACTOE_REPRODUCIBLE_ARCHS", "amd64 arm64").split()
REPO = "tictactoe-repro"
FIGURES = os.path.join(ROOT, "build", "figures", "reproducible.txt")


def figure(text):
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, "a") as f:
        f.write(text.rstrip("\n") + "\n")


def run(*args, cwd, timeout=600):
    result = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"{' '.join(args)} in {cwd} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result.stdout + result.stderr


def clone(path, commit):
    run("git", "clone", "--quiet", "--no-checkout", ROOT, path, cwd=ROOT)
    run("git", "checkout", "--quiet", commit, cwd=path)


def build(env, folder, arch, tag, *extra):
    """make image in `folder`, compiled in the builder; tags the result REPO:TAG-ARCH."""
    variables = [f"{key}={value}" for key, value in env.items()]
    started = time.monotonic()
    output = run("make", "--no-print-directory", *variables, f"REPO={REPO}", "image", f"ARCH={arch}", "VARIANT=perfect",
                 *extra, cwd=folder, timeout=2400)
    seconds = time.monotonic() - started
    found = re.search(r"tictactoe-compile: (cold|incremental)", output)
    how = found.group(1) if found else "cached"
    figure(f"build {tag}-{arch} in {folder}: {how} compile, {seconds:.0f} s")
    docker(env, "tag", f"{REPO}:perfect-{arch}", f"{REPO}:{tag}-{arch}")
    return how


def pushed_digest(env, tag, arch):
    """The manifest digest the local registry gives REPO:TAG-ARCH."""
    remote = f"{env['REGISTRY']}/{REPO}:{tag}-{arch}"
    docker(env, "tag", f"{REPO}:{tag}-{arch}", remote)
    output = docker(env, "push", remote, timeout=600).stdout
    found = re.search(r"digest: (sha256:[0-9a-f]{64})", output)
    assert found, output
    return found.group(1)


def compare(env, a, b):
    result = subprocess.run(["python3", "scripts/compare-images.py", a, b], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DOCKER": env["DOCKER"]}, timeout=900)
    figure(result.stdout + result.stderr)
    return result.returncode


def previous_source_commit():
    """The parent of the last commit that changed what the binary is built from: its sources
    differ from HEAD's, so building it leaves other objects in the build folder."""
    last = sh("git", "log", "-1", "--format=%H", "HEAD", "--", "Sources", "Package.swift").stdout.strip()
    return sh("git", "rev-parse", f"{last}^").stdout.strip()


@pytest.mark.skipif(not os.environ.get("TICTACTOE_REPRODUCIBILITY"),
                    reason="four compiles per architecture (about 25 minutes each here): make test-reproducible runs it")
@pytest.mark.parametrize("arch", ARCHS)
def test_one_commit_gives_one_image_from_nothing_elsewhere_and_incrementally(docker_env, arch, tmp_path):
    head = sh("git", "rev-parse", "HEAD").stdout.strip()
    figure(f"== {arch}: commit {head}")
    first, second = tmp_path / "first", tmp_path / "elsewhere" / "second"
    docker(docker_env, "builder", "prune", "--all", "--force", timeout=600)
    clone(first, head)
    assert build(docker_env, first, arch, "from-nothing") == "cold"
    docker(docker_env, "builder", "prune", "--all", "--force", timeout=600)
    clone(second, head)
    assert build(docker_env, second, arch, "from-nothing-elsewhere") == "cold"
    # Incremental: a touched source, the previous commit built in between, then HEAD again, each
    # compiled in the build folder the others left (NO_CACHE=1 skips BuildKit's step cache, which
    # would otherwise hand back the first build's result, but keeps the compile's cache mount).
    os.utime(second / "Sources" / "Game" / "GameState.swift")
    run("git", "checkout", "--quiet", previous_source_commit(), cwd=second)
    assert build(docker_env, second, arch, "previous-commit", "NO_CACHE=1") == "incremental"
    run("git", "checkout", "--quiet", head, cwd=second)
    os.utime(second / "Sources" / "Game" / "GameState.swift")
    assert build(docker_env, second, arch, "incremental", "NO_CACHE=1") == "incremental"

    refs = [f"{REPO}:{tag}-{arch}" for tag in ("from-nothing", "from-nothing-elsewhere", "incremental")]
    assert compare(docker_env, refs[0], refs[1]) == 0, open(FIGURES).read()
    assert compare(docker_env, refs[0], refs[2]) == 0, open(FIGURES).read()
    ids = {inspect(docker_env, ref)["Id"] for ref in refs}
    assert len(ids) == 1
    digests = [pushed_digest(docker_env, tag, arch) for tag in ("from-nothing", "from-nothing-elsewhere", "incremental")]
    figure(f"manifest digests, {arch}: " + "  ".join(digests))
    assert len(set(digests)) == 1
    # And the image the previous commit gave is another image: the comparison can tell them apart.
    assert inspect(docker_env, f"{REPO}:previous-commit-{arch}")["Id"] not in ids
