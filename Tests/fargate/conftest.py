"""A moto_server on loopback standing in for AWS (ECR, ECS, IAM, STS, Logs, EC2, CloudFormation),
and helpers that run make and the real aws CLI against it with bounded time."""
import os
import socket
import subprocess
import time
import urllib.request

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
ACCOUNT = "123456789012"  # moto's account
REGION = "us-east-1"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def aws_env(tmp_path_factory):
    port = free_port()
    log = open(tmp_path_factory.mktemp("moto") / "moto.log", "w")
    process = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("moto_server did not start within 30 s")
            time.sleep(0.1)
    env = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_CONFIG_FILE": "/dev/null",
        "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
    }
    yield env
    process.terminate()
    process.wait(timeout=10)


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
