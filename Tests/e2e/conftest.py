"""Fixtures that run the real `tictactoe` binary (TICTACTOE_BIN) on loopback."""
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import pytest

BIN = os.environ.get("TICTACTOE_BIN", os.path.join(os.path.dirname(__file__), "../../.build/release/tictactoe"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running server process; `stop()` sends SIGTERM and returns the exit code."""

    def __init__(self, yaml_text="", env=None, extra_args=()):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="tictactoe-e2e-")
        self.config = os.path.join(self.dir, "config.yaml")
        with open(self.config, "w") as f:
            f.write(yaml_text)
        self.log_path = os.path.join(self.dir, "server.log")
        self.log = open(self.log_path, "w")
        environment = dict(os.environ, PORT=str(self.port), HOST="127.0.0.1")
        environment.update(env or {})
        self.process = subprocess.Popen(
            [BIN, "serve", "--config", self.config, *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=environment)
        self.url = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited with {self.process.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.process.kill()
        raise RuntimeError("server did not answer /healthz within 15 s: " + self.output())

    def output(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def request(self, method, path, body=None, headers=None, raw=None):
        """Returns (status, parsed JSON or text, headers)."""
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        h = {"Content-Type": "application/json"} if data is not None or method == "POST" else {}
        h.update(headers or {})
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=h)
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, _parse(r.read(), r.headers), r.headers
        except urllib.error.HTTPError as e:
            return e.code, _parse(e.read(), e.headers), e.headers

    def stop(self, timeout=10):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
            return "killed after timeout"
        finally:
            self.log.close()


def _parse(payload, headers):
    if "json" in (headers.get("Content-Type") or ""):
        return json.loads(payload)
    return payload.decode()


@pytest.fixture
def start_server():
    servers = []

    def start(yaml_text="", **kwargs):
        server = Server(yaml_text, **kwargs)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
