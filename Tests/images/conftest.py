"""Fixtures for the image tests: a Docker engine with buildx, qemu for arm64, a local registry and
the builder/runtime stand-ins, all set up by scripts/test-docker-env.sh, and helpers that run
make and docker with bounded time."""
import json
import os
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
FIGURES = os.path.join(ROOT, "build", "figures", "images.txt")
REPO = "tictactoe-test"


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
    """The KEY=VALUE lines of scripts/test-docker-env.sh, which make takes as they are."""
    out = sh("bash", "scripts/test-docker-env.sh", timeout=900).stdout
    env = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
    if os.path.exists(FIGURES):
        os.remove(FIGURES)
    return env


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
