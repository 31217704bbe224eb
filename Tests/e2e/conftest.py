"""Fixtures that run the real `tictactoe` binary (TICTACTOE_BIN) on loopback."""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import http.client
import urllib.error
import urllib.request

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from loopback import free_port, wait_until_answered  # noqa: E402,F401  (shared by the Python suites)

BIN = os.environ.get("TICTACTOE_BIN", os.path.join(os.path.dirname(__file__), "../../.build/release/tictactoe"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
# What a client is told when the state backend fails; the cause is only in the log.
UNAVAILABLE = "game storage is not available; try again in a moment"


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

    def logged(self, request_id, timeout=5, until=bool):
        """The JSON log lines of one request (`hb.request.id`), waiting (at most `timeout` s) until
        `until(lines)` holds: by default, until there is one (the access line comes first, a line
        with an error's cause after it, from the background writer)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = []
            for text in self.output().splitlines():
                try:
                    line = json.loads(text)
                except ValueError:
                    continue
                if isinstance(line, dict) and line.get("hb.request.id") == request_id:
                    lines.append(line)
            if until(lines) or time.monotonic() > deadline:
                return lines
            time.sleep(0.1)

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

    def wait_ready(self, timeout=20):
        """Polls /readyz until 200; returns the last answer either way."""
        deadline = time.monotonic() + timeout
        answer = None
        while time.monotonic() < deadline:
            answer = self.request("GET", "/readyz")
            if answer[0] == 200:
                return answer
            time.sleep(0.1)
        return answer

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


class EventStream:
    """Reads a server-sent event stream on a thread; `next_event()` returns (id, data) or a
    heartbeat marker, waiting at most `timeout` seconds. Named events (`event: spectators`) go
    to `named` as (name, data) instead."""

    HEARTBEAT = ("heartbeat", None)

    def __init__(self, server, game_id, last_event_id=None, player=False):
        self.items = queue.Queue()
        self.named = queue.Queue()
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        headers = {"Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.connection.request("GET", f"/api/games/{game_id}/events" + ("?player=1" if player else ""), headers=headers)
        self.response = self.connection.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers
        self.closed = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        event_id, name, data = None, None, []
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    break
                line = line.decode().rstrip("\n")
                if line.startswith(":"):
                    self.items.put(self.HEARTBEAT)
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: "):
                    data.append(line[6:])
                elif line == "" and data:
                    if name:
                        self.named.put((name, json.loads("\n".join(data))))
                    else:
                        self.items.put((event_id, json.loads("\n".join(data))))
                    event_id, name, data = None, None, []
        except (OSError, ValueError, AttributeError):
            pass  # closed by the server or by close()
        self.closed.set()

    def next_event(self, timeout=5, skip_heartbeats=True):
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no event within {timeout} s")
            try:
                item = self.items.get(timeout=remaining)
            except queue.Empty:
                raise TimeoutError(f"no event within {timeout} s")
            if item == self.HEARTBEAT and skip_heartbeats:
                continue
            return item

    def wait_for(self, predicate, timeout=5):
        """The first game event whose data satisfies `predicate`."""
        deadline = time.monotonic() + timeout
        while True:
            event_id, game = self.next_event(timeout=max(0.01, deadline - time.monotonic()))
            if predicate(game):
                return event_id, game

    def close(self):
        self.connection.close()


class Postgres:
    """A throwaway PostgreSQL on 127.0.0.1 (scripts/test-postgres.sh), stoppable mid-test."""

    SCRIPT = os.path.join(ROOT, "scripts", "test-postgres.sh")

    def __init__(self, tls_dir=None):
        self.port = free_port()
        self.dir = tempfile.mkdtemp(prefix="tictactoe-pg-")
        os.rmdir(self.dir)
        self.env = dict(os.environ, TLS_DIR=tls_dir) if tls_dir else None
        self.url = self._run("start")

    def _run(self, command):
        result = subprocess.run([self.SCRIPT, command, self.dir, str(self.port)], capture_output=True, text=True, timeout=60, env=self.env)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def stop(self):
        self._run("stop")

    def start(self):
        self._run("start")

    def psql(self, sql, database="tictactoe"):
        command = [self._bin("psql"), "-h", self.dir, "-p", str(self.port), "-U", "postgres", "-d", database, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", sql]
        if os.getuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    def database_url(self, database):
        return self.url.replace("/tictactoe?", f"/{database}?")

    @staticmethod
    def _bin(name):
        versions = sorted(os.listdir("/usr/lib/postgresql"), key=lambda v: int(v) if v.isdigit() else 0)
        return os.path.join("/usr/lib/postgresql", versions[-1], "bin", name)

    def remove(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    server = Postgres()
    yield server
    server.remove()
