"""Fixtures for the Fargate rehearsal tests: the Docker stand-ins (Tests/support/docker-env.sh),
the `shared` image packaging the host's release binary, and `make run-local` with bounded time.
Every address is on loopback; the rehearsal's state folder is destroyed at the end."""
import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "scripts"))
from run_local.rehearsal import Rehearsal  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "../.."))
RELEASE_BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))
REPO = "tictactoe-rehearsal"
VARIANT = "shared"


def sh(*args, timeout=600, check=True, env=None):
    result = subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                            env=dict(os.environ, **(env or {})))
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


@pytest.fixture(scope="session")
def docker_env():
    out = sh("bash", "Tests/support/docker-env.sh", timeout=900).stdout
    return dict(line.split("=", 1) for line in out.strip().splitlines() if "=" in line)


def make(env, *args, timeout=900, check=True):
    variables = [f"{key}={value}" for key, value in env.items()]
    return sh("make", "--no-print-directory", *args, *variables, f"REPO={REPO}", f"BINARY={RELEASE_BIN}", "ARCH=amd64",
              timeout=timeout, check=check)


@pytest.fixture(scope="module")
def rehearsal(docker_env):
    """`make run-local VARIANT=shared` from nothing: (output, Rehearsal); destroyed afterwards."""
    make(docker_env, "run-local-destroy", f"VARIANT={VARIANT}", check=False)
    make(docker_env, "image", f"VARIANT={VARIANT}", "VERSION=rehearsal-1")
    started = time.monotonic()
    up = make(docker_env, "run-local", f"VARIANT={VARIANT}", "WAIT=240")
    seconds = time.monotonic() - started
    try:
        yield up.stdout, Rehearsal(VARIANT, os.path.join(ROOT, "variants")), seconds
    finally:
        make(docker_env, "run-local-destroy", f"VARIANT={VARIANT}", check=False, timeout=300)


class Client:
    """JSON over HTTP to the balancer, one connection per request (so the balancer spreads them)."""

    def __init__(self, address, port=80):
        self.address, self.port = address, port

    def request(self, method, path, body=None, token=None, timeout=15):
        connection = http.client.HTTPConnection(self.address, self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        try:
            connection.request(method, path, json.dumps(body) if body is not None else None, headers)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
        finally:
            connection.close()
        try:
            return response.status, json.loads(text), dict(response.headers)
        except ValueError:
            return response.status, text, dict(response.headers)


class LiveStream:
    """A game's event stream through the balancer that reconnects with Last-Event-ID when its
    connection ends (a task stopped), as a browser's EventSource does; records each reconnect and
    how long the stream was away before it."""

    def __init__(self, client, game_id):
        self.client, self.game_id = client, game_id
        self.events = queue.Queue()
        self.last_id = None
        self.reconnects = 0
        self.connections = []  # (status or error, seconds after the stream began)
        self.gaps = []
        self.closed = False
        self.began = time.monotonic()
        self.connection = None
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        lost = None  # when the last connection ended; None before the first
        while not self.closed:
            try:
                connection = self.connection = http.client.HTTPConnection(self.client.address, self.client.port, timeout=30)
                headers = {"Accept": "text/event-stream"}
                if self.last_id:
                    headers["Last-Event-ID"] = self.last_id
                connection.request("GET", f"/api/games/{self.game_id}/events", headers=headers)
                response = connection.getresponse()
                self.connections.append((response.status, round(time.monotonic() - self.began, 1)))
                if response.status != 200:
                    time.sleep(0.5)
                    continue
                if lost is not None:
                    self.reconnects += 1
                    self.gaps.append(time.monotonic() - lost)
                    lost = None
                event_id, name, data = None, None, []
                while not self.closed:
                    line = response.fp.readline()
                    if not line:
                        break
                    line = line.decode().rstrip("\n")
                    if line.startswith("id: "):
                        event_id = line[4:]
                    elif line.startswith("event: "):
                        name = line[7:]
                    elif line.startswith("data: "):
                        data.append(line[6:])
                    elif line == "" and data:
                        # Named events (`spectators`) carry no game and no id to resume from.
                        if name is None:
                            self.last_id = event_id
                            self.events.put((event_id, json.loads("\n".join(data))))
                        event_id, name, data = None, None, []
            except (OSError, ValueError, http.client.HTTPException) as error:
                self.connections.append((type(error).__name__, round(time.monotonic() - self.began, 1)))
                time.sleep(0.2)
            finally:
                if self.connection:
                    self.connection.close()
            if lost is None:
                lost = time.monotonic()

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                event_id, game = self.events.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(game):
                return event_id, game
        raise AssertionError(f"no such event within {timeout} s on {self.game_id}")

    def close(self):
        """Ends the stream now, as EventSource.close() does: the server sees the connection go."""
        self.closed = True
        connection = self.connection
        if connection and connection.sock:
            try:
                connection.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
