"""Connection-level limits of the release binary, tried the way a hostile client would."""
import json
import socket
import subprocess
import time

from conftest import BIN


def raw_connection(server, timeout=10, source="127.0.0.1"):
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout, source_address=(source, 0))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_until_closed(sock, limit_s):
    """Everything the server sends until it closes, and how long that took (None if it did not
    close within `limit_s`)."""
    start = time.monotonic()
    sock.settimeout(0.2)
    data = b""
    while time.monotonic() - start < limit_s:
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except ConnectionResetError:
            return data, time.monotonic() - start
        if not chunk:
            return data, time.monotonic() - start
        data += chunk
    return data, None


def read_response(sock, timeout=5):
    """One whole response (head and Content-Length body) from a kept-alive connection."""
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"the connection closed after {data!r}"
        data += chunk
    status, headers, body = split_response(data)
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    return status, headers, body


def split_response(data):
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def test_a_client_trickling_its_headers_is_cut_off(start_server):
    server = start_server("server: {header_timeout_s: 2}\n")
    sock = raw_connection(server)
    sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    start = time.monotonic()
    closed_after = None
    # One header line every 0.4 s: never finishing, always sending.
    for i in range(25):
        try:
            sock.sendall(f"X-Slow-{i}: a\r\n".encode())
        except (BrokenPipeError, ConnectionResetError):
            closed_after = time.monotonic() - start
            break
        sock.settimeout(0.4)
        try:
            if sock.recv(1024) == b"":
                closed_after = time.monotonic() - start
                break
        except socket.timeout:
            pass
    sock.close()
    assert closed_after is not None, "the server kept a trickling client for 10 s"
    assert 1.5 <= closed_after <= 4, closed_after
    # And the server still serves everyone else.
    assert server.request("GET", "/healthz")[0] == 200


def test_an_idle_keep_alive_connection_is_closed(start_server):
    server = start_server("server: {idle_timeout_s: 5}\n")
    sock = raw_connection(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    time.sleep(0.3)
    first = sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200"), first
    _, closed_after = read_until_closed(sock, 12)
    sock.close()
    assert closed_after is not None, "an idle connection stayed open for 12 s"
    assert 4 <= closed_after <= 8, closed_after


def refused_answer(sock, request=b"GET /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"):
    sock.sendall(request)
    data, closed_after = read_until_closed(sock, 5)
    sock.close()
    assert closed_after is not None, "the refused connection was left open"
    return split_response(data)


def busy_connection(server, source="127.0.0.1"):
    """A connection with a request in progress: its head sent, its body never."""
    sock = raw_connection(server, source=source)
    sock.sendall(b"POST /api/games HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n")
    return sock


def test_connections_beyond_a_cap_of_busy_ones_get_503_json_but_health_checks_get_through(start_server):
    server = start_server("server: {max_connections: 16}\n")
    held = [busy_connection(server) for _ in range(16)]
    try:
        time.sleep(0.3)
        status, headers, body = refused_answer(raw_connection(server))
        assert status == 503
        assert headers["retry-after"] == "5"
        assert headers["content-type"] == "application/json; charset=utf-8"
        assert json.loads(body)["error"]["code"] == "too_many_connections"
        # The container's and the load balancer's health checks are answered all the same.
        status, _, body = refused_answer(raw_connection(server), b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert (status, json.loads(body)) == (200, {"status": "ok"})
        assert subprocess.run([BIN, "healthcheck", "--port", str(server.port)], capture_output=True, timeout=10).returncode == 0
        # One held connection closes; its slot serves a new client.
        held.pop().close()
        deadline = time.monotonic() + 3
        status = None
        while time.monotonic() < deadline:
            status = server.request("GET", "/healthz")[0]
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200
    finally:
        for sock in held:
            sock.close()


def test_at_the_cap_the_connection_idle_longest_is_closed_to_make_room(start_server):
    server = start_server("server: {max_connections: 16}\n")
    idle = []
    for _ in range(16):
        sock = raw_connection(server)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_response(sock)[0] == 200
        idle.append(sock)
    try:
        status, game, _ = server.request("POST", "/api/games", {})
        assert status == 201
        _, closed_after = read_until_closed(idle[0], 3)
        assert closed_after is not None, "the oldest idle connection was not closed"
        # The others are still open: a request on the newest is answered.
        idle[-1].sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_response(idle[-1])[0] == 200
    finally:
        for sock in idle:
            sock.close()


def test_a_request_that_is_not_http_gets_400_json(start_server):
    server = start_server()
    sock = raw_connection(server)
    sock.sendall(b"HELLO THERE\r\n\r\n")
    data, closed_after = read_until_closed(sock, 5)
    sock.close()
    status, headers, body = split_response(data)
    assert status == 400
    assert json.loads(body)["error"]["code"] == "malformed_request"
    assert closed_after is not None


def test_oversized_headers_get_431_json(start_server):
    server = start_server("server: {max_header_bytes: 4096}\n")
    status, body, _ = server.request("GET", "/healthz", headers={"X-Padding": "a" * 5000})
    assert status == 431
    assert body["error"]["code"] == "headers_too_large"
    assert server.request("GET", "/healthz", headers={"X-Padding": "a" * 3000})[0] == 200


def trickling_body(server, source):
    """A POST whose 400-byte body arrives one byte at a time; returns the socket."""
    sock = raw_connection(server, source=source)
    sock.sendall(b"POST /api/games HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n")
    return sock


def test_a_client_trickling_its_body_gets_408_json_within_the_body_timeout(start_server):
    server = start_server("server: {body_timeout_s: 2}\n")
    sock = trickling_body(server, "127.0.0.1")
    start = time.monotonic()
    data = b""
    sock.settimeout(0.5)
    for _ in range(20):
        try:
            sock.sendall(b" ")
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    closed_after = time.monotonic() - start
    sock.close()
    status, headers, body = split_response(data)
    assert status == 408 and headers["connection"] == "close"
    assert json.loads(body) == {"error": {"code": "request_timeout", "message": "the request did not fully arrive within 2 s of its head"}}
    assert 1.5 <= closed_after <= 4, closed_after


def test_clients_trickling_bodies_from_many_addresses_do_not_hold_the_connection_cap(start_server):
    """The review's probe: 24 addresses each trickle a body (a byte every 2 s) into a server capped
    at 16 connections; a new client is still served at once, and each trickler is cut off."""
    server = start_server("server: {max_connections: 16, body_timeout_s: 30}\n")
    tricklers = [trickling_body(server, f"127.0.1.{i + 1}") for i in range(24)]
    try:
        time.sleep(1.2)  # past the grace a body gets before it can give way
        for sock in tricklers:
            try:
                sock.sendall(b" ")
            except OSError:
                pass
        served = []
        for _ in range(5):
            started = time.monotonic()
            status, _, _ = server.request("POST", "/api/games", {})
            served.append((status, time.monotonic() - started))
        assert [status for status, _ in served] == [201] * 5, served
        assert max(seconds for _, seconds in served) < 2, served
    finally:
        for sock in tricklers:
            sock.close()
