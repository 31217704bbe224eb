"""One client cannot take a task down: thousands of connections from one address (or from one
client behind a trusted proxy) while another client plays whole games and the container's own
health check keeps passing. 127.0.0.2 and 127.0.0.3 are other client addresses on loopback."""
import http.client
import json
import os
import subprocess
import time

from conftest import BIN, ROOT
from test_hostile_clients import raw_connection, split_response

FIGURES = os.path.join(ROOT, "build", "figures", "connection-flood.txt")
BYTES_PER_CONNECTION = 32 * 1024  # what the `auto` caps budget for one connection (MemoryBudget)


def figure(line):
    os.makedirs(os.path.dirname(FIGURES), exist_ok=True)
    with open(FIGURES, "a") as f:
        f.write(line + "\n")
    print(line)


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def flood(server, count, source, forwarded_for=None):
    """Opens `count` keep-alive connections from `source`, each sending one request, and reads
    each one's answer. Returns (the sockets, the statuses by count, the refusals' bodies)."""
    forwarded = f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else ""
    request = f"GET /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\n{forwarded}\r\n".encode()
    socks = []
    for _ in range(count):
        sock = raw_connection(server, timeout=10, source=source)
        sock.sendall(request)
        socks.append(sock)
    statuses, refusals = {}, []
    for sock in socks:
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
        if not data:
            statuses["no answer"] = statuses.get("no answer", 0) + 1
            continue
        status, headers, body = split_response(data)
        statuses[status] = statuses.get(status, 0) + 1
        if status != 200:
            refusals.append((status, headers, body))
    return socks, statuses, refusals


def play_whole_game(port, source, forwarded_for=None):
    """A two-player game to X's win, one new connection per request; returns the statuses."""
    statuses = []

    def call(method, path, body):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
        headers = {"Content-Type": "application/json"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        try:
            connection.request(method, path, json.dumps(body), headers)
            response = connection.getresponse()
            statuses.append(response.status)
            return json.loads(response.read())
        finally:
            connection.close()

    game = call("POST", "/api/games", {})
    for cell in (0, 3, 1, 4, 2):
        game = call("POST", f"/api/games/{game['id']}/moves", {"index": cell, "version": game["version"]})
    assert game["status"] == "won" and game["winner"] == "X", game
    return statuses


def healthcheck(server):
    return subprocess.run([BIN, "healthcheck", "--port", str(server.port)], capture_output=True, timeout=10).returncode


def test_one_address_with_2000_connections_refuses_no_one_else(start_server):
    server = start_server("server: {max_connections: 1000}\n")
    play_whole_game(server.port, "127.0.0.3")
    before = rss_bytes(server.process.pid)
    socks, statuses, refusals = flood(server, 2000, "127.0.0.2")
    try:
        peak = rss_bytes(server.process.pid)
        # Exactly the address's share is served; every other connection is refused with JSON.
        assert statuses == {200: 64, 429: 1936}, statuses
        assert {(status, headers["retry-after"], json.loads(body)["error"]["code"]) for status, headers, body in refusals} \
            == {(429, "5", "too_many_client_connections")}
        for _ in range(3):
            assert play_whole_game(server.port, "127.0.0.3") == [201] + [200] * 5
            assert healthcheck(server) == 0
        assert server.request("GET", "/healthz")[0] == 200
        growth = peak - before
        figure(f"2,000 connections from one address (64 served, 1,936 refused): server memory {before / 2**20:.1f} MiB -> "
               f"{peak / 2**20:.1f} MiB (+{growth / 2**20:.1f} MiB; the 1,000-connection cap allows {1000 * BYTES_PER_CONNECTION / 2**20:.1f} MiB)")
        assert growth <= 1000 * BYTES_PER_CONNECTION
    finally:
        for sock in socks:
            sock.close()


def test_through_a_trusted_proxy_one_clients_flood_refuses_no_one_else(start_server):
    server = start_server("server: {max_connections: 200, trusted_proxies: [127.0.0.2/32]}\n")
    held = []
    try:
        for _ in range(3):
            # The flooding client fills the process's cap with idle keep-alive connections...
            socks, statuses, refusals = flood(server, 1000, "127.0.0.2", forwarded_for="198.51.100.7")
            held += socks
            # Every connection is answered: served, or refused with JSON when the others were all
            # too new to give way (each has a second to send its first request).
            assert set(statuses) <= {200, 503} and statuses[200] >= 200, statuses
            assert {(status, headers["retry-after"], json.loads(body)["error"]["code"]) for status, headers, body in refusals} \
                <= {(503, "5", "too_many_connections")}
            # ...and another client behind the same proxy still plays: idle connections make room.
            assert play_whole_game(server.port, "127.0.0.2", forwarded_for="198.51.100.8") == [201] + [200] * 5
            assert healthcheck(server) == 0
        open_now = sum(1 for sock in held if not closed(sock))
        figure(f"3 × 1,000 connections through a trusted proxy from one client, cap 200: {open_now} still open")
        assert open_now <= 200
    finally:
        for sock in held:
            sock.close()


def closed(sock):
    """Whether the server closed `sock` (what it still had to read is read first)."""
    sock.settimeout(0.05)
    try:
        while sock.recv(65536):
            pass
        return True
    except (TimeoutError, BlockingIOError):
        return False
    except OSError:
        return True
