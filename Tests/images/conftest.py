"""Fixtures for the image tests: a Docker engine with buildx, qemu for arm64, a local registry and
the builder/runtime stand-ins, all set up by Tests/support/docker-env.sh, and helpers that run
make and docker with bounded time."""
import json
import os
import re
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
FIGURES = os.path.join(ROOT, "build", "figures", "images.txt")
# One line per image build: what, cold|incremental|cached|packaged, seconds (make test's table).
COMPILES = os.path.join(ROOT, "build", "figures", "compiles.tsv")
REPO = "tictactoe-test"
RELEASE_BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))
# Which architectures the builder compiles for: `arm64` in make test (amd64 images then package
# the host's release binary), `all` in make test-images-full.
IMAGE_COMPILES = os.environ.get("TICTACTOE_IMAGE_COMPILES", "arm64")


def sh(*args, timeout=600, check=True, env=None):
    environment = dict(os.environ)
    environment.update(env or {})
    result = subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=environment)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def figure(line):
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, "a") as f:
        f.write(line + "\n")


@pytest.fixture(scope="session")
def docker_env():
    """The KEY=VALUE lines of Tests/support/docker-env.sh, which make takes as they are."""
    out = sh("bash", "Tests/support/docker-env.sh", timeout=900).stdout
    env = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
    if os.path.exists(FIGURES):
        os.remove(FIGURES)
    return env


def compiled_in_builder(arch):
    return IMAGE_COMPILES == "all" or arch == IMAGE_COMPILES


class Built:
    def __init__(self, ref, seconds, how, output):
        self.ref, self.seconds, self.how, self.output = ref, seconds, how, output


class Images:
    """Builds each variant × architecture at most once per session, when a test first asks for it,
    so that tests share images without depending on their order. Each build is recorded in
    build/figures/compiles.tsv: cold (the builder compiled the dependencies from nothing),
    incremental, cached (BuildKit reused the compile step) or packaged (the release binary)."""

    def __init__(self, env):
        self.env = env
        self.built = {}

    def __call__(self, variant, arch):
        if (variant, arch) not in self.built:
            self.build(variant, arch)
        return self.built[(variant, arch)]

    def build(self, variant, arch, path=None):
        """make image now, even if this session built the image already (with PATH=path if given)."""
        extra = [] if compiled_in_builder(arch) else [f"BINARY={RELEASE_BIN}"]
        started = time.monotonic()
        result = make(self.env, "image", f"ARCH={arch}", f"VARIANT={variant}", *extra, path=path)
        seconds = time.monotonic() - started
        output = result.stdout + result.stderr
        if extra:
            how = "packaged"
        else:
            found = re.search(r"tictactoe-compile: (cold|incremental)", output)
            how = found.group(1) if found else "cached"
        facts = open(os.path.join(ROOT, f"build/docker/facts/{variant}/facts.env")).read().split()
        tag = next(line.split("=", 1)[1].strip("'") for line in facts if line.startswith(f"IMAGE_TAG_{arch}="))
        if extra:
            flavour = "the host's release binary"
        else:
            flavour = "with PostgreSQL" if "BACKEND='postgres'" in facts else "without PostgreSQL"
        os.makedirs(os.path.dirname(COMPILES), exist_ok=True)
        with open(COMPILES, "a") as f:
            f.write(f"image {variant}-{arch} ({flavour})\t{how}\t{seconds:.0f}\n")
        figure(f"build time {variant}-{arch} ({flavour}; {how}): {seconds:.1f} s")
        self.built[(variant, arch)] = Built(f"{REPO}:{tag}", seconds, how, output)
        return self.built[(variant, arch)]


@pytest.fixture(scope="session")
def image(docker_env):
    """image(variant, arch) -> Built: the image REPO:VARIANT-ARCH, built once per session."""
    return Images(docker_env)


def make(env, *args, repo=REPO, timeout=1800, check=True, path=None):
    """make with every variable the environment script printed, as an outside check passes them;
    a variable in args comes last, so it overrides the environment's."""
    variables = [f"{key}={value}" for key, value in env.items()]
    extra = {"PATH": path} if path else None
    return sh("make", "--no-print-directory", *variables, f"REPO={repo}", *args, timeout=timeout, check=check, env=extra)


def docker(env, *args, timeout=300, check=True):
    return sh(env["DOCKER"], *args, timeout=timeout, check=check)


def inspect(env, ref):
    return json.loads(docker(env, "image", "inspect", ref).stdout)[0]


def request(port, method, path, body=None, token=None, timeout=30):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, json.loads(r.read())


def wait_healthy_http(port, timeout=60):
    """Seconds until GET /healthz answers 200, polled every 20 ms."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except OSError:
            time.sleep(0.02)
    raise AssertionError(f"no healthy answer on port {port} within {timeout}s")
