"""Images built by `make image`, run here (arm64 under qemu), pushed as one manifest list per variant
and pulled back per platform. arm64 images are cross-compiled in the Dockerfiles' compile stage
through a Swift SDK (both flavours: with and without PostgreSQL); amd64 images package the host's
release binary in make test and are compiled natively in the builder in make test-images-full.
The `image` fixture builds each image once, on first use: tests do not depend on their order."""
import hashlib
import json
import os
import re
import shlex
import shutil
import tempfile
import time
import urllib.request

from conftest import RELEASE_BIN, REPO, ROOT, compiled_in_builder, docker, figure, inspect, make, request, sh, wait_healthy_http

VARIANT_NAMES = " ".join(sorted(name[:-5] for name in os.listdir(os.path.join(ROOT, "variants")) if name.endswith(".yaml")))


def host_variant(name, key):
    """What the host's release binary (the same Config code) says of a variant."""
    out = sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "variant", "get", f"variants/{name}.yaml", key)
    return out.stdout.strip()


def standin_rds_bundle_sha256():
    with open(os.path.join(ROOT, "build/test-docker/standin-rds-ca/bundle.pem"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def facts_of(name):
    """`tictactoe variant facts` of a variant, as {KEY: value}."""
    out = sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "variant", "facts", f"variants/{name}.yaml").stdout
    return {key: shlex.split(value)[0] if value != "''" else "" for key, value in (line.split("=", 1) for line in out.splitlines())}


def binary_of(env, ref, dest):
    container = docker(env, "create", ref).stdout.strip()
    try:
        docker(env, "cp", f"{container}:/usr/local/bin/tictactoe", dest)
    finally:
        docker(env, "rm", container)
    return dest


def elf_machine(path):
    with open(path, "rb") as f:
        header = f.read(20)
    assert header[:4] == b"\x7fELF", f"{path} is not an ELF file"
    return int.from_bytes(header[18:20], "little")


def play_against_perfect_computer(port):
    """A whole 3×3 game: the human (X) takes the first free cell each turn. The perfect computer
    never loses, so the game ends as a draw or a win for O. Returns the final game."""
    status, game = request(port, "POST", "/api/games", {"opponent": "computer"})
    assert status == 201
    for _ in range(9):
        if game["status"] != "playing":
            break
        cell = game["board"].index("")
        status, game = request(port, "POST", f"/api/games/{game['id']}/moves", {"index": cell, "version": game["version"]})
        assert status == 200
    assert game["status"] in ("draw", "won"), game
    assert game["winner"] in (None, "O"), game
    assert len(game["moves"]) == game["version"]
    return game


def run_container(env, name, ref, *extra, platform=None):
    docker(env, "rm", "-f", name, check=False)
    args = ["run", "-d", "--name", name, "--network", "host", "--read-only", "--tmpfs", "/tmp",
            "--cap-drop", "ALL", *extra]
    if platform:
        args += ["--platform", platform]
    docker(env, *args, ref)


def stop_container(env, name):
    started = time.monotonic()
    docker(env, "stop", "--time", "10", name)
    stopped = time.monotonic() - started
    code = docker(env, "inspect", "-f", "{{.State.ExitCode}}", name).stdout.strip()
    logs = docker(env, "logs", name)
    docker(env, "rm", "-f", name, check=False)
    return stopped, code, logs.stdout + logs.stderr


def registry_manifest(registry, repo, tag, single=False):
    accept = ("application/vnd.docker.distribution.manifest.v2+json" if single
              else "application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.index.v1+json")
    req = urllib.request.Request(f"http://{registry}/v2/{repo}/manifests/{tag}", headers={"Accept": accept})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read())


def test_dockerfiles_differ_only_in_the_line_that_names_the_architecture():
    amd64 = open(os.path.join(ROOT, "Dockerfile.amd64")).read().splitlines()
    arm64 = open(os.path.join(ROOT, "Dockerfile.arm64")).read().splitlines()
    assert len(amd64) == len(arm64)
    assert [(a, b) for a, b in zip(amd64, arm64) if a != b] == [("ARG ARCH=amd64", "ARG ARCH=arm64")]
    # No other line names an architecture: the rest comes from ARCH and the variant's facts.
    for text, arch in ((amd64, "amd64"), (arm64, "arm64")):
        named = [line for line in text if any(word in line for word in ("amd64", "arm64", "x86_64", "aarch64"))]
        assert named == [f"ARG ARCH={arch}"] or all(line.startswith("#") for line in named if line != f"ARG ARCH={arch}"), named
        # The compiler runs on the build platform; only the runtime stage names the target.
        assert "FROM --platform=$BUILDPLATFORM ${BUILDER_IMAGE} AS builder" in text
        assert "FROM --platform=linux/${ARCH} ${RUNTIME_IMAGE}" in text
        assert sum(line.count("--platform=") for line in text) == 2


def test_dockerfiles_pass_hadolint():
    for name in ("Dockerfile.amd64", "Dockerfile.arm64"):
        result = sh("hadolint", name, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_environment_lines_name_every_make_variable(docker_env):
    assert set(docker_env) == {"DOCKER", "REGISTRY", "BUILDER_IMAGE", "SWIFT_SDK_URL", "SWIFT_SDK_amd64", "SWIFT_SDK_arm64",
                               "RUNTIME_IMAGE_amd64", "RUNTIME_IMAGE_arm64", "RDS_CA_BUNDLE_URL", "RDS_CA_BUNDLE_LOCK",
                               "SWIFTPM_MIRROR", "BUILD_NETWORK"}
    # The stand-in builder runs natively on this machine; its arm64 SDK cross-compiles.
    assert inspect(docker_env, docker_env["BUILDER_IMAGE"])["Architecture"] == "amd64"
    assert inspect(docker_env, docker_env["RUNTIME_IMAGE_arm64"])["Architecture"] == "arm64"
    sdks = docker(docker_env, "run", "--rm", "--network", "host", docker_env["BUILDER_IMAGE"], "swift", "sdk", "list").stdout
    swift = re.search(r"^ARG SWIFT_VERSION=(\S+)$", open(os.path.join(ROOT, "Dockerfile.amd64")).read(), re.M).group(1)
    assert f"swift-{swift}-debian-sid_aarch64" in sdks.split()


def refusal(env, *args, **kwargs):
    result = make(env, *args, check=False, **kwargs)
    assert result.returncode != 0
    return result.stdout + result.stderr


def test_refuses_bad_requests_before_building(docker_env):
    started = time.monotonic()
    assert "unknown ARCH 'sparc'; valid: amd64 arm64" in refusal(docker_env, "image", "ARCH=sparc")
    assert f"unknown VARIANT 'nope'; valid: {VARIANT_NAMES}" in refusal(docker_env, "image", "ARCH=arm64", "VARIANT=nope")
    assert ("REPO=TicTacToe is not an image repository name: after an optional registry host, use lowercase letters"
            in refusal(docker_env, "image", "ARCH=amd64", "VARIANT=perfect", repo="TicTacToe"))
    assert time.monotonic() - started < 30
    # The rest are refused after reading the variant's facts (seconds once the facts tool is
    # compiled), before the server's compile starts.
    # An SDK for the other architecture.
    out = refusal(docker_env, "image", "ARCH=arm64", "VARIANT=perfect", "SWIFT_SDK_arm64=x86_64-swift-linux-musl")
    assert "SWIFT_SDK_arm64=x86_64-swift-linux-musl does not build for arm64: its triple must start with aarch64-" in out
    # A native build of arm64 on this amd64 machine would need an emulated compiler.
    out = refusal(docker_env, "image", "ARCH=arm64", "VARIANT=perfect", "SWIFT_SDK_arm64=")
    assert "SWIFT_SDK_arm64 is empty (a native build), but the builder runs on amd64" in out
    assert "tictactoe-compile:" not in out
    # A builder image of the other architecture.
    out = refusal(docker_env, "image", "ARCH=amd64", "VARIANT=perfect", f"BUILDER_IMAGE={docker_env['RUNTIME_IMAGE_arm64']}")
    assert "is arm64 but this machine builds on amd64: its compiler would run under emulation" in out
    # Docker without buildx: a client whose buildx plugin is hidden.
    config = tempfile.mkdtemp(prefix="tictactoe-nobuildx-")
    try:
        fake = os.path.join(config, "docker")
        with open(fake, "w") as f:
            f.write(f'#!/bin/sh\n[ "$1" = buildx ] && {{ echo "docker: \'buildx\' is not a docker command." >&2; exit 1; }}\nexec {docker_env["DOCKER"]} "$@"\n')
        os.chmod(fake, 0o755)
        out = refusal(docker_env, "image", "ARCH=amd64", "VARIANT=perfect", f"DOCKER={fake}")
        assert "docker buildx is missing: install the buildx plugin (Debian trixie and later: apt-get install docker-buildx" in out
    finally:
        shutil.rmtree(config)


def test_refuses_an_architecture_the_variant_does_not_list(docker_env):
    # classic lists deploy.architectures [amd64]: refused after reading the YAML, before compiling.
    out = refusal(docker_env, "image", "ARCH=arm64", "VARIANT=classic")
    assert "variants/classic.yaml lists deploy.architectures [amd64], not arm64" in out
    assert "Compiling" not in out


def test_facts_from_docker_agree_with_the_host_binary(docker_env):
    """make image reads variants inside Docker; make taskdef and make deploy read them with the
    host's binary. Both print the same `tictactoe variant facts`, through the same Config code."""
    for variant in ("classic", "gomoku", "perfect", "shared"):
        sh("env", *[f"{k}={v}" for k, v in docker_env.items() if k in ("DOCKER", "BUILDER_IMAGE", "SWIFTPM_MIRROR", "BUILD_NETWORK", "SWIFT_SDK_URL", "RDS_CA_BUNDLE_URL")],
           "scripts/image.sh", "facts", "amd64", variant, timeout=900)
        exported = open(os.path.join(ROOT, f"build/docker/facts/{variant}/facts.env")).read()
        host = sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "variant", "facts", f"variants/{variant}.yaml").stdout
        assert exported == host
        assert f"PORT='{host_variant(variant, 'server.port')}'" in exported.splitlines()
        baked = open(os.path.join(ROOT, f"build/docker/facts/{variant}/config.yaml")).read()
        assert baked == sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "variant", "image-config", f"variants/{variant}.yaml").stdout


def test_arm64_image_is_cross_compiled_and_plays_under_qemu(docker_env, image):
    assert image("perfect", "arm64").how != "packaged"
    info = inspect(docker_env, f"{REPO}:perfect-arm64")
    assert info["Architecture"] == "arm64" and info["Os"] == "linux"
    binary = binary_of(docker_env, f"{REPO}:perfect-arm64", os.path.join(ROOT, "build/test-docker/tictactoe-arm64"))
    assert elf_machine(binary) == int(facts_of("perfect")["ELF_MACHINE_arm64"])
    assert "ARM aarch64" in sh("file", binary).stdout
    figure(f"image size perfect-arm64: {info['Size'] / 1e6:.1f} MB uncompressed (binary {os.path.getsize(binary) / 1e6:.1f} MB)")
    name = "tictactoe-test-perfect-arm64"
    started = time.monotonic()
    run_container(docker_env, name, f"{REPO}:perfect-arm64", platform="linux/arm64")
    try:
        figure(f"docker run to first healthy answer, perfect-arm64 under qemu: {wait_healthy_http(5000, timeout=120) * 1000:.0f} ms")
        game = play_against_perfect_computer(5000)
        figure(f"perfect-arm64 under qemu: a whole game against the perfect computer in {time.monotonic() - started:.1f} s ({game['status']})")
    finally:
        stopped, code, logs = stop_container(docker_env, name)
    assert code == "0", logs
    figure(f"docker stop (SIGTERM) to exit, perfect-arm64 under qemu: {stopped:.2f} s, exit code {code}")


def test_amd64_image_plays_and_passes_its_health_check(docker_env, image):
    built = image("perfect", "amd64")
    info = inspect(docker_env, built.ref)
    assert info["Architecture"] == "amd64"
    binary_from = "compile" if compiled_in_builder("amd64") else "prebuilt"
    assert built.how != "packaged" if binary_from == "compile" else built.how == "packaged"
    assert info["Config"]["Labels"]["io.tictactoe.binary-from"] == binary_from
    binary = binary_of(docker_env, f"{REPO}:perfect-amd64", os.path.join(ROOT, "build/test-docker/tictactoe-amd64"))
    assert elf_machine(binary) == int(facts_of("perfect")["ELF_MACHINE_amd64"])
    figure(f"image size perfect-amd64: {info['Size'] / 1e6:.1f} MB uncompressed (binary {os.path.getsize(binary) / 1e6:.1f} MB)")
    name = "tictactoe-test-perfect-amd64"
    run_container(docker_env, name, f"{REPO}:perfect-amd64", "--user", "65532:65532")
    try:
        figure(f"docker run to first healthy answer, perfect-amd64 (native): {wait_healthy_http(5000) * 1000:.0f} ms")
        play_against_perfect_computer(5000)
        # Docker's own health check (the image's HEALTHCHECK runs `tictactoe healthcheck`).
        deadline, health = time.monotonic() + 40, ""
        while time.monotonic() < deadline and health != "healthy":
            health = docker(docker_env, "inspect", "-f", "{{.State.Health.Status}}", name).stdout.strip()
            time.sleep(0.5)
        assert health == "healthy"
    finally:
        stopped, code, logs = stop_container(docker_env, name)
    assert code == "0", logs
    assert stopped < 5


def test_second_variant_reuses_the_compiled_binary(docker_env, image):
    image("perfect", "amd64")
    assert image("classic", "amd64").how in ("incremental", "cached", "packaged")
    perfect = inspect(docker_env, f"{REPO}:perfect-amd64")["RootFS"]["Layers"]
    classic = inspect(docker_env, f"{REPO}:classic-amd64")["RootFS"]["Layers"]
    # Runtime base, rootfs and binary layers are the same bytes; only the baked YAML differs.
    assert perfect[:-1] == classic[:-1]
    assert perfect[-1] != classic[-1]


def test_rebuilding_without_the_cache_gives_the_same_image(docker_env):
    """Two builds that run every step again (NO_CACHE) around one packaged binary: the same image
    id, so no layer took the time of its build (make test-reproducible does the same with compiles
    from nothing). Neither is taken from the cache: a cache filled by builds made before every file
    was stamped with time 0 could hand back a layer with other times."""
    refs = []
    for repo in ("tictactoe-test-first", "tictactoe-test-again"):
        make(docker_env, "image", "ARCH=amd64", "VARIANT=perfect", f"BINARY={RELEASE_BIN}", "NO_CACHE=1", repo=repo)
        refs.append(f"{repo}:perfect-amd64")
    compared = sh("python3", "scripts/compare-images.py", *refs, check=False, env={"DOCKER": docker_env["DOCKER"]})
    assert compared.returncode == 0, compared.stdout + compared.stderr
    assert compared.stdout.rstrip().endswith("same image")
    assert inspect(docker_env, refs[0])["Id"] == inspect(docker_env, refs[1])["Id"]


def test_image_records_what_it_was_built_from(docker_env, image):
    info = inspect(docker_env, image("perfect", "arm64").ref)
    config = info["Config"]
    # What Docker reads before any stage runs is written in the Dockerfile: it is the facts'.
    facts = facts_of("perfect")
    assert config["User"] == facts["IMAGE_USER"]
    assert list(config["ExposedPorts"]) == [f"{facts['PORT']}/tcp"]
    assert config["Healthcheck"] == {"Test": ["CMD", facts["BINARY_PATH"], "healthcheck"],
                                     "Interval": int(facts["HEALTHCHECK_INTERVAL_S"]) * 10**9,
                                     "Timeout": int(facts["HEALTHCHECK_TIMEOUT_S"]) * 10**9,
                                     "StartPeriod": int(facts["HEALTHCHECK_START_PERIOD_S"]) * 10**9,
                                     "Retries": int(facts["HEALTHCHECK_RETRIES"])}
    assert config["Entrypoint"] == [facts["BINARY_PATH"]]
    assert f"{facts['CONFIG_ENV']}={facts['CONFIG_PATH']}" in config["Env"]
    labels = config["Labels"]
    assert labels["io.tictactoe.variant"] == "perfect"
    assert labels["io.tictactoe.architecture"] == "arm64"
    assert labels["io.tictactoe.builder"] == docker_env["BUILDER_IMAGE"]
    assert labels["io.tictactoe.binary-from"] == "compile"
    assert labels["io.tictactoe.swift-sdk"] == "aarch64-unknown-linux-gnu"
    assert labels["org.opencontainers.image.revision"] == sh("git", "rev-parse", "HEAD").stdout.strip()
    version = sh("make", "--no-print-directory", "-s", "print-version").stdout.strip()
    assert inspect(docker_env, f"{REPO}:perfect-{version}-arm64")["Id"] == info["Id"]
    # One version: the tag's, the label's and the one the binary reports.
    assert labels["org.opencontainers.image.version"] == version
    reported = docker(docker_env, "run", "--rm", "--platform", "linux/arm64", f"{REPO}:perfect-arm64", "--version", timeout=120)
    assert reported.stdout.strip() == version
    # The dependency versions: a label, and Package.resolved inside the image, saying the same.
    dependencies = dict(item.split("@") for item in labels["io.tictactoe.dependencies"].split(","))
    assert dependencies["hummingbird"] == "2.28.1"
    container = docker(docker_env, "create", f"{REPO}:perfect-arm64").stdout.strip()
    try:
        docker(docker_env, "cp", f"{container}:/usr/share/tictactoe/Package.resolved", "build/test-docker/resolved.json")
        docker(docker_env, "cp", f"{container}:/etc/tictactoe/config.yaml", "build/test-docker/baked.yaml")
        docker(docker_env, "cp", f"{container}:/etc/ssl/certs/ca-certificates.crt", "build/test-docker/ca.crt")
    finally:
        docker(docker_env, "rm", container)
    pins = json.load(open(os.path.join(ROOT, "build/test-docker/resolved.json")))["pins"]
    assert {pin["identity"]: pin["state"]["version"] for pin in pins if "version" in pin["state"]} == dependencies
    baked = open(os.path.join(ROOT, "build/test-docker/baked.yaml")).read()
    assert "deploy:" not in baked and "port: 5000" in baked
    assert open(os.path.join(ROOT, "build/test-docker/ca.crt")).read().count("BEGIN CERTIFICATE") > 50
    # Only PostgreSQL variants carry Amazon RDS's certificate authorities.
    assert not file_in_image(docker_env, f"{REPO}:perfect-arm64", "/etc/ssl/certs/rds-ca-bundle.pem")


def file_in_image(env, ref, path):
    """The text of `path` in the image `ref`, or None when it has no such file."""
    container = docker(env, "create", ref).stdout.strip()
    copy = os.path.join(ROOT, "build/test-docker/copied-file")
    try:
        if docker(env, "cp", f"{container}:{path}", copy, check=False).returncode != 0:
            return None
        with open(copy) as f:
            return f.read()
    finally:
        docker(env, "rm", container)
        if os.path.exists(copy):
            os.remove(copy)


def stack_environment(variant, arch):
    """The literal environment variables the rendered stack gives the variant's tasks (those
    that name a database attribute, such as PGHOST, are left out)."""
    out = os.path.join(tempfile.mkdtemp(prefix="tictactoe-stack-"), "stack.json")
    sh(os.environ.get("TICTACTOE_BIN", ".build/release/tictactoe"), "stack", "--variant", f"variants/{variant}.yaml",
       "--arch", arch, "--repository", "123456789012.dkr.ecr.us-east-1.amazonaws.com/tictactoe", "--region", "us-east-1",
       "--account", "123456789012", "--output", out)
    with open(out) as f:
        container = json.load(f)["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
    shutil.rmtree(os.path.dirname(out))
    return {item["Name"]: item["Value"] for item in container["Environment"] if isinstance(item["Value"], str)}


def standin_rds_server_certificate(folder):
    """server.crt and server.key in `folder`, for 127.0.0.1, signed by the stand-in RDS CA that
    the builder stand-in carries as Amazon's bundle (Tests/support/standins/builder.sh)."""
    ca = os.path.join(ROOT, "build/test-docker/standin-rds-ca/us-east-1")
    with open(os.path.join(folder, "san.ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    sh("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(folder, "server.key"),
       "-out", os.path.join(folder, "server.csr"), "-subj", "/CN=tictactoe-standin.rds.amazonaws.com")
    sh("openssl", "x509", "-req", "-in", os.path.join(folder, "server.csr"), "-CA", ca + ".pem", "-CAkey", ca + ".key",
       "-CAcreateserial", "-out", os.path.join(folder, "server.crt"), "-days", "2", "-extfile", os.path.join(folder, "san.ext"))


def test_shared_variant_arm64_serves_two_containers_on_one_postgres_verified_by_the_bundled_rds_ca(docker_env, image):
    """The `shared` variant (PostgreSQL support compiled in) cross-compiled for arm64 and run twice
    under qemu as two Fargate tasks sharing PostgreSQL, with the environment the stack gives its
    tasks: the database's certificate is signed by the (stand-in) RDS CA, and the tasks check it
    with verify-full against the bundle the image carries."""
    bundle = file_in_image(docker_env, image("shared", "arm64").ref, "/etc/ssl/certs/rds-ca-bundle.pem")
    assert bundle == open(os.path.join(ROOT, "build/test-docker/standin-rds-ca/bundle.pem")).read()
    record = file_in_image(docker_env, f"{REPO}:shared-arm64", "/usr/share/tictactoe/rds-ca-bundle.sha256")
    assert record == f"{standin_rds_bundle_sha256()}  /etc/ssl/certs/rds-ca-bundle.pem\n"
    source = file_in_image(docker_env, f"{REPO}:shared-arm64", "/usr/share/tictactoe/rds-ca-bundle.source")
    assert source == docker_env["RDS_CA_BUNDLE_URL"] + "\n"
    environment = stack_environment("shared", "arm64")
    assert environment["PGSSLMODE"] == "verify-full"
    assert environment["PGSSLROOTCERT"] == "/etc/ssl/certs/rds-ca-bundle.pem"
    tls_dir = tempfile.mkdtemp(prefix="tictactoe-image-tls-")
    standin_rds_server_certificate(tls_dir)
    pg_dir, pg_port = tempfile.mkdtemp(prefix="tictactoe-image-pg-"), "55439"
    os.rmdir(pg_dir)
    sh(os.path.join(ROOT, "scripts/test-postgres.sh"), "start", pg_dir, pg_port, env={"TLS_DIR": tls_dir})
    environment.update({"PGHOST": "127.0.0.1", "PGPORT": pg_port, "PGUSER": "tictactoe", "PGPASSWORD": "tictactoe-test-secret"})
    info = inspect(docker_env, f"{REPO}:shared-arm64")
    assert info["Architecture"] == "arm64"
    figure(f"image size shared-arm64: {info['Size'] / 1e6:.1f} MB uncompressed (with PostgreSQL support)")
    port = int(host_variant("shared", "server.port"))
    names = ["tictactoe-test-shared-1", "tictactoe-test-shared-2"]
    ports = [port, port + 1]
    try:
        for name, p in zip(names, ports):
            variables = [arg for key, value in sorted(environment.items()) for arg in ("-e", f"{key}={value}")]
            run_container(docker_env, name, f"{REPO}:shared-arm64", *variables, "-e", f"PORT={p}", platform="linux/arm64")
        for p in ports:
            wait_healthy_http(p, timeout=120)
            deadline = time.monotonic() + 60
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
        assert request(ports[1], "POST", f"/api/games/{game['id']}/moves", {"index": 0}, token=joined["token"])[0] == 200
        assert request(ports[0], "GET", f"/api/games/{game['id']}")[1]["moves"] == [4, 0]
    finally:
        codes = [stop_container(docker_env, name)[1] for name in names]
        sh(os.path.join(ROOT, "scripts/test-postgres.sh"), "stop", pg_dir, pg_port, check=False)
        shutil.rmtree(pg_dir, ignore_errors=True)
        shutil.rmtree(tls_dir, ignore_errors=True)
    assert codes == ["0", "0"]


def test_the_rds_ca_bundle_is_recorded_on_first_use_and_a_changed_one_stops_the_build(docker_env):
    """The first PostgreSQL image build writes the lock (SHA-256, each certificate's fingerprint,
    expiry and subject); a bundle other than the locked one stops the build, naming the
    certificates added and removed, and leaves the lock as it was."""
    folder = tempfile.mkdtemp(prefix="rds-lock-", dir=os.path.join(ROOT, "build/test-docker"))
    try:
        lock = os.path.join(folder, "rds-ca-bundle.lock")
        binary = [f"BINARY={RELEASE_BIN}", f"RDS_CA_BUNDLE_LOCK={lock}"]
        out = make(docker_env, "image", "ARCH=amd64", "VARIANT=shared", *binary, repo="tictactoe-test-rds").stdout
        sha = standin_rds_bundle_sha256()
        text = open(lock).read()
        assert f"sha256 {sha}\n" in text and f"source {docker_env['RDS_CA_BUNDLE_URL']}\n" in text
        certificates = [line for line in text.splitlines() if line.startswith("certificate ")]
        assert len(certificates) == 2 and all(" expires " in line and " subject CN=" in line for line in certificates)
        changed = text.replace(f"sha256 {sha}", "sha256 " + "0" * 64).replace(certificates[0], "certificate " + "ab" * 32 + " expires never subject CN=Gone CA")
        open(lock, "w").write(changed)
        out = refusal(docker_env, "image", "ARCH=amd64", "VARIANT=shared", *binary, repo="tictactoe-test-rds")
        assert f"error: Amazon RDS's CA bundle from {docker_env['RDS_CA_BUNDLE_URL']} changed: SHA-256 {sha}, but {lock} records {'0' * 64}." in out
        assert f"  added:   {certificates[0][len('certificate '):]}" in out
        assert "  removed: " + "ab" * 32 + " expires never subject CN=Gone CA" in out
        assert open(lock).read() == changed
        assert "building tictactoe-test-rds:shared-amd64" not in out
    finally:
        shutil.rmtree(folder)
        docker(docker_env, "rmi", "-f", "tictactoe-test-rds:shared-amd64", check=False)


def test_push_makes_one_manifest_list_of_real_images_per_tag(docker_env, image):
    image("perfect", "amd64")
    image("perfect", "arm64")
    registry = docker_env["REGISTRY"]
    make(docker_env, "push", "VARIANT=perfect")
    version = sh("make", "--no-print-directory", "-s", "print-version").stdout.strip()
    for tag in ("perfect", f"perfect-{version}"):
        manifest = registry_manifest(registry, REPO, tag)
        assert manifest["mediaType"] in ("application/vnd.docker.distribution.manifest.list.v2+json",
                                         "application/vnd.oci.image.index.v1+json")
        assert sorted(m["platform"]["architecture"] for m in manifest["manifests"]) == ["amd64", "arm64"]
    for arch in ("amd64", "arm64"):
        compressed = sum(layer["size"] for layer in registry_manifest(registry, REPO, f"perfect-{arch}", single=True)["layers"])
        figure(f"image size perfect-{arch}: {compressed / 1e6:.1f} MB compressed (registry)")
    # Pulled by platform from the list, each member is the real image and plays a game.
    ref = f"{registry}/{REPO}:perfect"
    for arch in ("arm64", "amd64"):
        docker(docker_env, "rmi", "-f", ref, check=False)
        docker(docker_env, "pull", "--platform", f"linux/{arch}", ref)
        pulled = inspect(docker_env, ref)
        assert pulled["Architecture"] == arch
        assert pulled["Id"] == inspect(docker_env, f"{REPO}:perfect-{arch}")["Id"]
        name = f"tictactoe-test-pulled-{arch}"
        run_container(docker_env, name, ref, platform=f"linux/{arch}")
        try:
            wait_healthy_http(5000, timeout=120)
            play_against_perfect_computer(5000)
        finally:
            code = stop_container(docker_env, name)[1]
        assert code == "0"


def test_refuses_to_overwrite_a_version_tag(docker_env, image):
    image("classic", "amd64")
    image("perfect", "amd64")
    registry = docker_env["REGISTRY"]
    repo = "tictactoe-immutable-test"
    version = sh("make", "--no-print-directory", "-s", "print-version").stdout.strip()
    docker(docker_env, "tag", f"{REPO}:classic-amd64", f"{repo}:classic-amd64")
    make(docker_env, "push", "VARIANT=classic", repo=repo)
    # Other content under the same version: refused before anything is pushed.
    docker(docker_env, "tag", f"{REPO}:perfect-amd64", f"{repo}:classic-amd64")
    out = refusal(docker_env, "push", "VARIANT=classic", repo=repo)
    assert f"{registry}/{repo}:classic-{version}-amd64 already holds image" in out
    assert "version tags are immutable" in out
    moving = registry_manifest(registry, repo, "classic-amd64", single=True)
    assert moving["config"]["digest"] == inspect(docker_env, f"{REPO}:classic-amd64")["Id"]


def test_push_refuses_an_image_of_the_wrong_architecture(docker_env, image):
    image("perfect", "amd64")
    repo = "tictactoe-wrong-arch-test"
    docker(docker_env, "tag", f"{REPO}:perfect-amd64", f"{repo}:perfect-amd64")
    docker(docker_env, "tag", f"{REPO}:perfect-amd64", f"{repo}:perfect-arm64")
    out = refusal(docker_env, "push", "VARIANT=perfect", repo=repo)
    assert f"{repo}:perfect-arm64 is a amd64 image, not arm64" in out


def test_make_image_and_push_need_no_swift_on_the_host(docker_env, image):
    """production's arm64 image compiled in the builder (the PostgreSQL flavour, as shared's) and
    pushed with both architectures, with no swift on the PATH."""
    path = ":".join(p for p in os.environ["PATH"].split(":") if not os.path.exists(os.path.join(p, "swift")))
    assert sh("sh", "-c", "command -v swift", check=False, env={"PATH": path}).returncode != 0
    assert image.build("production", "arm64", path=path).how != "packaged"
    image.build("production", "amd64", path=path)
    assert inspect(docker_env, f"{REPO}:production-arm64")["Config"]["Labels"]["io.tictactoe.variant"] == "production"
    make(docker_env, "push", "VARIANT=production", path=path)
    manifest = registry_manifest(docker_env["REGISTRY"], REPO, "production")
    assert sorted(m["platform"]["architecture"] for m in manifest["manifests"]) == ["amd64", "arm64"]


def test_running_a_foreign_image_without_binfmt_says_how_to_fix_it(docker_env, image):
    image("perfect", "arm64")
    entry = "/proc/sys/fs/binfmt_misc/qemu-aarch64"
    with open(entry, "w") as f:
        f.write("0")
    try:
        out = refusal(docker_env, "run-image", "ARCH=arm64", "VARIANT=perfect", timeout=120)
    finally:
        with open(entry, "w") as f:
            f.write("1")
    assert "this amd64 machine cannot run arm64 binaries" in out
    assert "apt-get install qemu-user-static binfmt-support" in out
    assert "tonistiigi/binfmt --install arm64" in out


def test_push_plan_for_ecr(docker_env):
    plan = sh("make", "-n", "push", "VARIANT=perfect", "REGISTRY=123456789012.dkr.ecr.eu-west-1.amazonaws.com",
              *[f"{k}={v}" for k, v in docker_env.items() if k != "REGISTRY"]).stdout
    assert "aws ecr get-login-password --region" in plan
    assert "docker buildx imagetools create --tag 123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe:perfect " in plan
    assert "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe:perfect-arm64" in plan
    assert "docker manifest" not in plan


def test_builds_libyaml_for_an_sdk_that_carries_none(docker_env):
    """The Static Linux SDK (musl) has no libyaml, so the compile stage builds it from libyaml's
    source with the SDK's own settings (scripts/build/libyaml-for-target.sh). Shown here with the arm64
    SDK of the stand-in and Debian's libyaml source: the archive's objects are AArch64."""
    work = os.path.join(ROOT, "build/test-docker/libyaml-src")
    shutil.rmtree(work, ignore_errors=True)
    sh("Tests/support/standins/sid-apt.sh", "source", work, "libyaml", env={"STANDIN_WORK": os.path.join(ROOT, "build/test-docker")})
    tarball = next(name for name in os.listdir(work) if name.endswith(".orig.tar.gz"))
    script = ("cp -r /repo/scripts /tmp/scripts && cd /tmp && "
              f"archive=$(scripts/build/libyaml-for-target.sh aarch64-unknown-linux-gnu /src/{tarball}) && "
              "cd /tmp/objects && ar x \"$archive\" && ls && od -An -tu2 -j18 -N2 parser.c.o")
    result = docker(docker_env, "run", "--rm", "--network", "host", "-v", f"{ROOT}:/repo:ro", "-v", f"{work}:/src:ro",
                    docker_env["BUILDER_IMAGE"], "sh", "-c", "mkdir -p /tmp/objects && " + script, timeout=600)
    objects = result.stdout.split()
    assert "parser.c.o" in objects and "emitter.c.o" in objects
    assert objects[-1] == facts_of("perfect")["ELF_MACHINE_arm64"]
