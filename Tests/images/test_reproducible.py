"""Two builds of one commit give the same image, byte for byte (`make test-reproducible`; not in
make test: two compiles from nothing and one incremental per architecture).

For each architecture, the `perfect` image (a variant built for both) of HEAD is built, each time
compiling in the builder: from nothing (BuildKit's cache, compile folders included, pruned) in a
clone; and incrementally in a clone at another path, whose compile folder holds the build of the
sources of the parent of the last source change (built there from nothing first, with HEAD's
Dockerfiles and scripts: what is measured is the compile folder, not an older way of building),
after touching a source file.
HEAD's compile step was never cached before the incremental build, so BuildKit cannot hand back an
earlier result (and `--no-cache` is no way to force one: it gives the compile a fresh cache mount,
measured here). The two must have the same image id (the digest of the config, which names every
layer by its content) and, pushed to the local registry, the same manifest digest.
scripts/compare-images.py prints the digests side by side, and the first differing file when they
differ; its output goes to build/figures/reproducible.txt with the build times."""
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
                    reason="two compiles from nothing per architecture (about 12 minutes each here): make test-reproducible runs it")
@pytest.mark.parametrize("arch", ARCHS)
def test_one_commit_gives_one_image_from_nothing_elsewhere_and_incrementally(docker_env, arch, tmp_path):
    head = sh("git", "rev-parse", "HEAD").stdout.strip()
    previous = previous_source_commit()
    figure(f"== {arch}: commit {head}, previous source commit {previous}")
    first, second = tmp_path / "first", tmp_path / "elsewhere" / "second"
    # Incremental, elsewhere: the previous commit from nothing, then HEAD in the folder it left.
    docker(docker_env, "builder", "prune", "--all", "--force", timeout=600)
    clone(second, head)
    run("rm", "-rf", "Sources", "Package.swift", cwd=second)
    run("git", "checkout", "--quiet", previous, "--", "Sources", "Package.swift", cwd=second)
    assert build(docker_env, second, arch, "previous-commit") == "cold"
    run("git", "reset", "--quiet", "--hard", head, cwd=second)
    os.utime(second / "Sources" / "Game" / "GameState.swift")
    assert build(docker_env, second, arch, "incremental-elsewhere") == "incremental"
    # From nothing.
    docker(docker_env, "builder", "prune", "--all", "--force", timeout=600)
    clone(first, head)
    assert build(docker_env, first, arch, "from-nothing") == "cold"

    tags = ("from-nothing", "incremental-elsewhere")
    refs = [f"{REPO}:{tag}-{arch}" for tag in tags]
    assert compare(docker_env, *refs) == 0, open(FIGURES).read()
    assert inspect(docker_env, refs[0])["Id"] == inspect(docker_env, refs[1])["Id"]
    digests = [pushed_digest(docker_env, tag, arch) for tag in tags]
    figure(f"manifest digests, {arch}: " + "  ".join(digests))
    assert digests[0] == digests[1]
    # The previous commit's image is another image: the comparison tells builds apart.
    assert compare(docker_env, refs[0], f"{REPO}:previous-commit-{arch}") == 1
