"""A moto_server on loopback standing in for AWS (ECR, ECS, IAM, STS, Logs, EC2, CloudFormation),
and helpers that run make and the real aws CLI against it with bounded time."""
import os
import re
import shutil
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from loopback import free_port, wait_until_answered  # noqa: E402,F401  (shared by the Python suites)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"
BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))


@pytest.fixture(scope="session")
def smoke_server(tmp_path_factory):
    """A local server for the smoke game `make deploy` plays after deploying (moto runs no tasks,
    and a test never sends traffic beyond loopback): its URL is passed as SMOKE_URL."""
    port = free_port()
    log = open(tmp_path_factory.mktemp("smoke") / "server.log", "w")
    binary = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))
    process = subprocess.Popen([binary, "serve"], stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, PORT=str(port), HOST="127.0.0.1"))
    url = f"http://127.0.0.1:{port}"
    wait_until_answered(url + "/healthz", process, "the smoke server")
    yield url
    process.terminate()
    process.wait(timeout=10)


def moto(tmp_path_factory, smoke_server, running_tasks=None):
    """Runs a moto_server on loopback and yields the environment that points the aws CLI, boto3
    and make at it, with VARIANTS_DIR a copy of variants/ that tests may change (the tracked files
    are never written). With `running_tasks`, every ECS service reports that many tasks running
    (moto starts none), so a deploy of a service that wants that many becomes stable."""
    variants = tmp_path_factory.mktemp("variants")
    shutil.copytree(os.path.join(ROOT, "variants"), variants, dirs_exist_ok=True)
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    environment = dict(os.environ)
    if running_tasks is not None:
        environment["MOTO_ECS_SERVICE_RUNNING"] = str(running_tasks)
    process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT, env=environment)
    endpoint = f"http://127.0.0.1:{port}"
    wait_until_answered(endpoint + "/moto-api/", process, "moto_server")
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        "SMOKE_URL": smoke_server,
        "VARIANTS_DIR": str(variants),
    }
    # What an administrator does once per account (README): the boundary of every created role.
    facts = run([BIN, "variant", "facts", os.path.join(ROOT, "variants/classic.yaml")]).stdout
    boundary = re.search(r"^ROLE_BOUNDARY='([^']+)'$", facts, re.M).group(1)
    run(["aws", "iam", "create-policy", "--policy-name", boundary,
         "--policy-document", f"file://{ROOT}/iam/role-boundary.json"], env=env, timeout=60)
    yield env
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="session")
def aws_env(tmp_path_factory, smoke_server):
    """moto, whose services never report running tasks: deploys end at their bounded wait."""
    yield from moto(tmp_path_factory, smoke_server)


@pytest.fixture
def aws_env_two_tasks_running(tmp_path_factory, smoke_server):
    """A moto of its own whose services report two tasks running, as `production` wants."""
    yield from moto(tmp_path_factory, smoke_server, running_tasks=2)


@pytest.fixture
def aws_env_one_task_running(tmp_path_factory, smoke_server):
    """A moto of its own whose services report one task running, as `classic` wants."""
    yield from moto(tmp_path_factory, smoke_server, running_tasks=1)


def run(args, env=None, timeout=300, check=True, cwd=ROOT):
    environment = dict(os.environ)
    environment.update(env or {})
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=environment)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
    return result


def make(aws_env, *args, check=True, timeout=600):
    return run(["make", "--no-print-directory", *args], env=aws_env, check=check, timeout=timeout)


def aws(aws_env, *args, check=True):
    import json
    result = run(["aws", *args, "--output", "json"], env=aws_env, check=check, timeout=60)
    return json.loads(result.stdout) if result.returncode == 0 and result.stdout.strip() else result


def push_fake_image(aws_env, variant, archs, build=0):
    """moto keeps ECR's metadata but serves no registry: record a manifest list as `make push` would.
    Another `build` makes another manifest, so the variant's tag names a new digest."""
    import json
    aws(aws_env, "ecr", "create-repository", "--repository-name", "tictactoe", check=False)
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.list.v2+json",
        "manifests": [{"mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1000,
                       "digest": "sha256:" + f"{i + 100 * build:064x}", "platform": {"architecture": a, "os": "linux"}}
                      for i, a in enumerate(archs, start=1)],
    }
    aws(aws_env, "ecr", "put-image", "--repository-name", "tictactoe", "--image-tag", variant,
        "--image-manifest", json.dumps(manifest),
        "--image-manifest-media-type", "application/vnd.docker.distribution.manifest.list.v2+json")
    return aws(aws_env, "ecr", "describe-images", "--repository-name", "tictactoe",
               "--image-ids", f"imageTag={variant}")["imageDetails"][0]["imageDigest"]
