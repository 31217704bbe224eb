"""Images built from the variants, run as Fargate would run them, pushed and pulled back."""
import json
import os
import re
import shutil
import tempfile
import time
import urllib.request

import pytest
from conftest import ROOT, docker, figure, inspect, sh, wait_healthy_http

REPO = "tictactoe-test"


def make(env, *args, repo=REPO, timeout=900, check=True):
    """make with this machine's Docker client (the one with BuildKit) and the local stand-ins."""
    return sh("make", "--no-print-directory", *args, f"REPO={repo}", "PREBUILT=1", f"DOCKER={env['DOCKER']}",
              f"RUNTIME_IMAGE={env['RUNTIME_STANDIN']}", timeout=timeout, check=check)


def variant_port(name):
    out = sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "variant", "get", f"variants/{name}.yaml", "server.port")
    return int(out.stdout.strip())


def request(port, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json"} if data else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, json.loads(r.read())


def test_dockerfiles_differ_only_in_the_architecture():
    amd64 = open(os.path.join(ROOT, "Dockerfile.amd64")).read()
    arm64 = open(os.path.join(ROOT, "Dockerfile.arm64")).read()
    assert amd64 != arm64
    assert amd64.replace("amd64", "arm64") == arm64


def test_dockerfiles_pass_hadolint():
    for name in ("Dockerfile.amd64", "Dockerfile.arm64"):
        result = sh("hadolint", name, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_builds_two_variants_sharing_the_binary_layer(docker_env):
    started = time.monotonic()
    make(docker_env, "image", "ARCH=amd64", "VARIANT=classic")
    first = time.monotonic() - started
    started = time.monotonic()
    make(docker_env, "image", "ARCH=amd64", "VARIANT=gomoku")
    second = time.monotonic() - started
    figure(f"build time: classic-amd64 {first:.1f} s (first), gomoku-amd64 {second:.1f} s (second variant)")
    classic = inspect(docker_env, f"{REPO}:classic-amd64")
    gomoku = inspect(docker_env, f"{REPO}:gomoku-amd64")
    classic_layers = classic["RootFS"]["Layers"]
    gomoku_layers = gomoku["RootFS"]["Layers"]
    # Same base and binary layers; only the config layer differs.
    assert classic_layers[:-1] == gomoku_layers[:-1]
    assert classic_layers[-1] != gomoku_layers[-1]
    for name, info in (("classic", classic), ("gomoku", gomoku)):
        size = info["Size"]
        figure(f"image size {name}-amd64: {size / 1e6:.1f} MB uncompressed (without PostgreSQL support)")
        # 16 MB of base (glibc, libstdc++, tzdata) and a 30 MB binary: neither variant uses
        # PostgreSQL, so their binary is built without it (and without Foundation's ICU).
        assert size < 50e6


def test_image_metadata_follows_the_variant(docker_env):
    info = inspect(docker_env, f"{REPO}:gomoku-amd64")
    config = info["Config"]
    assert info["Architecture"] == "amd64"
    assert config["User"] == "65532:65532"
    assert f"{variant_port('gomoku')}/tcp" in config["ExposedPorts"]
    assert config["Healthcheck"]["Test"] == ["CMD", "/usr/local/bin/tictactoe", "healthcheck"]
    assert config["Entrypoint"] == ["/usr/local/bin/tictactoe"]
    assert "TICTACTOE_CONFIG=/etc/tictactoe/config.yaml" in config["Env"]
    labels = config["Labels"]
    for key in ("org.opencontainers.image.source", "org.opencontainers.image.revision", "org.opencontainers.image.version"):
        assert labels[key]
    assert labels["io.tictactoe.variant"] == "gomoku"
    assert labels["io.tictactoe.architecture"] == "amd64"
    assert labels["org.opencontainers.image.revision"] == sh("git", "rev-parse", "HEAD").stdout.strip()
    # The `both` tags exist.
    version = sh("make", "--no-print-directory", "-s", "print-version").stdout.strip()
    assert inspect(docker_env, f"{REPO}:gomoku-{version}-amd64")["Id"] == info["Id"]


def test_baked_config_has_no_deploy_section(docker_env):
    container = docker(docker_env, "create", f"{REPO}:classic-amd64").stdout.strip()
    try:
        docker(docker_env, "cp", f"{container}:/etc/tictactoe/config.yaml", "build/test-docker/baked.yaml")
    finally:
        docker(docker_env, "rm", container)
    baked = open(os.path.join(ROOT, "build/test-docker/baked.yaml")).read()
    assert "deploy:" not in baked
    assert "port: 5000" in baked


@pytest.mark.parametrize("variant", ["classic", "gomoku"])
def test_runs_as_fargate_would_and_stops_cleanly(docker_env, variant):
    port = variant_port(variant)
    name = f"tictactoe-test-{variant}"
    docker(docker_env, "rm", "-f", name, check=False)
    started = time.monotonic()
    docker(docker_env, "run", "-d", "--name", name, "--network", "host", "--read-only",
           "--tmpfs", "/tmp", "--user", "65532:65532", "--cap-drop", "ALL", f"{REPO}:{variant}-amd64")
    try:
        to_healthy = wait_healthy_http(port)
        figure(f"docker run to first healthy answer, {variant}: {to_healthy * 1000:.0f} ms")
        status, game = request(port, "POST", "/api/games", {"opponent": "human"})
        assert status == 201
        k, cols = game["winLength"], game["cols"]
        # The first player fills row 0; the second plays row 1 and never completes it.
        for step in range(k - 1):
            request(port, "POST", f"/api/games/{game['id']}/moves", {"index": step})
            request(port, "POST", f"/api/games/{game['id']}/moves", {"index": cols + step})
        status, game = request(port, "POST", f"/api/games/{game['id']}/moves", {"index": k - 1})
        assert (status, game["status"], game["winner"], game["winningLine"]) == (200, "won", game["board"][0], list(range(k)))
        # Docker's own health check turns healthy (first check after the 10 s interval).
        deadline = time.monotonic() + 40
        health = ""
        while time.monotonic() < deadline:
            health = docker(docker_env, "inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
            if health == "healthy":
                break
            time.sleep(0.5)
        assert health == "healthy"
        user = docker(docker_env, "inspect", "-f", "{{.Config.User}}", name).stdout.strip()
        assert user == "65532:65532"
    finally:
        stop_started = time.monotonic()
        docker(docker_env, "stop", "--time", "10", name)
        stopped = time.monotonic() - stop_started
        code = docker(docker_env, "inspect", "-f", "{{.State.ExitCode}}", name).stdout.strip()
        docker(docker_env, "rm", "-f", name, check=False)
    figure(f"docker stop (SIGTERM) to exit, {variant}: {stopped:.2f} s, exit code {code}")
    assert code == "0"
    assert stopped < 5


def test_shared_variant_runs_two_containers_on_one_postgres(docker_env):
    """The `shared` variant's image, twice, as two Fargate tasks sharing PostgreSQL: DATABASE_URL
    comes from the environment (Secrets Manager on ECS), the port from the variant's YAML."""
    # Under /tmp itself: the server runs as the `postgres` user, which cannot enter pytest's
    # private temporary directories.
    pg_dir, pg_port = tempfile.mkdtemp(prefix="tictactoe-image-pg-"), "55439"
    os.rmdir(pg_dir)
    url = sh(os.path.join(ROOT, "scripts/test-postgres.sh"), "start", pg_dir, pg_port).stdout.strip()
    make(docker_env, "image", "ARCH=amd64", "VARIANT=shared")
    size = inspect(docker_env, f"{REPO}:shared-amd64")["Size"]
    figure(f"image size shared-amd64: {size / 1e6:.1f} MB uncompressed (with PostgreSQL support)")
    # postgres-nio imports the whole of Foundation, which links ICU: about 55 MB more.
    assert size < 110e6
    port = variant_port("shared")
    names = ["tictactoe-test-shared-1", "tictactoe-test-shared-2"]
    ports = [port, port + 1]
    try:
        for name, p in zip(names, ports):
            docker(docker_env, "rm", "-f", name, check=False)
            docker(docker_env, "run", "-d", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp",
                   "--cap-drop", "ALL", "-e", f"DATABASE_URL={url}", "-e", f"PORT={p}", f"{REPO}:shared-amd64")
        for p in ports:
            wait_healthy_http(p)
            deadline = time.monotonic() + 20
            while True:
                try:
                    if request(p, "GET", "/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, "the shared variant did not become ready"
                time.sleep(0.2)
        status, game = request(ports[0], "POST", "/api/games", {"opponent": "online"})
        assert status == 201
        status, joined = request(ports[1], "POST", f"/api/games/{game['id']}/seats", {})
        assert status == 201 and joined["you"] == "O"
        assert request(ports[0], "POST", f"/api/games/{game['id']}/moves", {"index": 4}, token=game["token"])[0] == 200
        assert request(ports[1], "GET", f"/api/games/{game['id']}")[1]["moves"] == [4]
        logs = "".join(docker(docker_env, "logs", name).stdout + docker(docker_env, "logs", name).stderr for name in names)
        assert "tictactoe-test-secret" not in logs and game["token"] not in logs
    finally:
        for name in names:
            docker(docker_env, "rm", "-f", name, check=False)
        sh(os.path.join(ROOT, "scripts/test-postgres.sh"), "stop", pg_dir, pg_port, check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)


def test_pushes_to_a_registry_and_pulls_back_by_digest(docker_env):
    registry = docker_env["REGISTRY"]
    make(docker_env, "push", "VARIANT=classic", f"REGISTRY={registry}")
    ref = f"{registry}/{REPO}:classic-amd64"
    digest_line = docker(docker_env, "inspect", "-f", "{{join .RepoDigests \"\\n\"}}", ref).stdout
    digest = re.search(r"@(sha256:[0-9a-f]{64})", digest_line).group(1)
    docker(docker_env, "rmi", ref)
    docker(docker_env, "pull", f"{registry}/{REPO}@{digest}")
    pulled = inspect(docker_env, f"{registry}/{REPO}@{digest}")
    assert pulled["Config"]["Labels"]["io.tictactoe.variant"] == "classic"
    # The manifest list over the variant's architectures.
    manifest = registry_manifest(registry, REPO, "classic")
    assert manifest["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert [m["platform"]["architecture"] for m in manifest["manifests"]] == ["amd64"]
    compressed = sum(layer["size"] for layer in registry_manifest(registry, REPO, "classic-amd64", single=True)["layers"])
    figure(f"image size classic-amd64: {compressed / 1e6:.1f} MB compressed (registry)")


def registry_manifest(registry, repo, tag, single=False):
    accept = ("application/vnd.docker.distribution.manifest.v2+json" if single
              else "application/vnd.docker.distribution.manifest.list.v2+json")
    req = urllib.request.Request(f"http://{registry}/v2/{repo}/manifests/{tag}", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_manifest_list_spans_both_architectures_with_an_arm64_fixture(docker_env):
    """No arm64 Swift toolchain or base image exists here, so the arm64 member is a test fixture:
    an image with arm64 metadata built from a text file, pushed only to a test repository."""
    registry = docker_env["REGISTRY"]
    repo = "tictactoe-manifest-fixture-test"
    make(docker_env, "image", "ARCH=amd64", "VARIANT=perfect", repo=repo)
    fixture_dir = os.path.join(ROOT, "build", "test-docker", "arm64-fixture")
    os.makedirs(fixture_dir, exist_ok=True)
    with open(os.path.join(fixture_dir, "FIXTURE"), "w") as f:
        f.write("test fixture: not tictactoe, never pushed as the product\n")
    with open(os.path.join(fixture_dir, "Dockerfile"), "w") as f:
        f.write("FROM scratch\nCOPY FIXTURE /FIXTURE\nLABEL io.tictactoe.fixture=true\n")
    sh("env", "DOCKER_BUILDKIT=1", docker_env["DOCKER"], "build", "--platform", "linux/arm64",
       "-t", f"{repo}:perfect-arm64", fixture_dir, timeout=300)
    make(docker_env, "push", "VARIANT=perfect", f"REGISTRY={registry}", repo=repo)
    manifest = registry_manifest(registry, repo, "perfect")
    platforms = sorted(m["platform"]["architecture"] for m in manifest["manifests"])
    assert platforms == ["amd64", "arm64"]


def test_refuses_to_overwrite_a_version_tag(docker_env):
    registry = docker_env["REGISTRY"]
    repo = "tictactoe-immutable-test"
    version = sh("make", "--no-print-directory", "-s", "print-version").stdout.strip()
    docker(docker_env, "tag", f"{REPO}:classic-amd64", f"{repo}:classic-amd64")
    make(docker_env, "push", "VARIANT=classic", f"REGISTRY={registry}", repo=repo)
    # Other content under the same version: refused before anything is pushed.
    docker(docker_env, "tag", f"{REPO}:gomoku-amd64", f"{repo}:classic-amd64")
    result = make(docker_env, "push", "VARIANT=classic", f"REGISTRY={registry}", repo=repo, check=False)
    assert result.returncode != 0
    assert f"{registry}/{repo}:classic-{version}-amd64 already holds image" in result.stderr
    assert "version tags are immutable" in result.stderr
    moving = registry_manifest(registry, repo, "classic-amd64", single=True)
    original = inspect(docker_env, f"{REPO}:classic-amd64")["Id"]
    assert moving["config"]["digest"] == original


def test_arm64_plan_and_refusals(docker_env):
    plan = sh("make", "-n", "image", "ARCH=arm64", "VARIANT=perfect").stdout
    assert "--file Dockerfile.arm64 --platform linux/arm64" in plan
    assert "--build-arg BINARY_FROM=compile" in plan
    assert "--tag tictactoe:perfect-arm64" in plan
    # `perfect` keeps games in memory: its binary leaves PostgreSQL support out; `shared` keeps it.
    assert "--build-arg SWIFT_BUILD_FLAGS=--disable-default-traits" in plan
    shared_plan = sh("make", "-n", "image", "ARCH=arm64", "VARIANT=shared").stdout
    assert "SWIFT_BUILD_FLAGS" not in shared_plan
    images_plan = sh("make", "-n", "images").stdout
    assert "image VARIANT=$v ARCH=$a" in images_plan or "Dockerfile" in images_plan
    prebuilt = sh("make", "image", "ARCH=arm64", "VARIANT=perfect", "PREBUILT=1", check=False)
    assert prebuilt.returncode != 0
    assert "PREBUILT=1 packages this host's amd64 binary" in prebuilt.stdout + prebuilt.stderr
    wrong_arch = sh("make", "image", "ARCH=sparc", check=False)
    assert "unknown ARCH 'sparc'; valid: amd64 arm64" in wrong_arch.stdout + wrong_arch.stderr
    wrong_variant = sh("make", "image", "VARIANT=nope", check=False)
    assert "unknown VARIANT 'nope'; valid: classic gomoku perfect shared" in wrong_variant.stdout + wrong_variant.stderr
    push_plan = sh("make", "-n", "push", "VARIANT=perfect", "REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com").stdout
    assert "aws ecr get-login-password --region" in push_plan
    assert "docker manifest create 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe:perfect" in push_plan
    assert "tictactoe:perfect-arm64" in push_plan
