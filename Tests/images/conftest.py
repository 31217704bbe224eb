"""Fixtures for the image tests: a Docker engine and a local registry on loopback, started by
scripts/test-docker-env.sh, and helpers that run make and docker with bounded time."""
import json
import os
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
FIGURES = os.path.join(ROOT, "build", "figures", "images.txt")


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
    out = sh("bash", "scripts/test-docker-env.sh", timeout=300).stdout
    env = dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)
    if os.path.exists(FIGURES):
        os.remove(FIGURES)
    return env


def docker(env, *args, timeout=300, check=True):
    return sh(env["DOCKER"], *args, timeout=timeout, check=check)


def inspect(env, ref):
    return json.loads(docker(env, "image", "inspect", ref).stdout)[0]


def wait_healthy_http(port, timeout=30):
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
