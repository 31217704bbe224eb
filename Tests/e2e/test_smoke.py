"""`tictactoe smoke URL` (`make smoke URL=…`), the game `make deploy` plays through a deployed address
before it reports success: what it says of a server that plays, and of one that does not."""
import os
import subprocess

from conftest import ROOT, free_port

BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))


def smoke(*args, timeout=60):
    return subprocess.run([BIN, "smoke", *args], capture_output=True, text=True, timeout=timeout)


def test_make_smoke_plays_a_game_to_its_end(start_server):
    server = start_server()
    result = subprocess.run(["make", "--no-print-directory", "smoke", f"URL={server.url}/"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "smoke: played game " in result.stdout
    assert ": 3×3, 5 moves, X won at " + server.url in result.stdout


def test_smoke_plays_a_big_board_with_its_own_symbols(start_server):
    server = start_server("board: {rows: 15, cols: 15, win_length: 5}\nplayers: {symbols: ['●', '○']}\n")
    result = smoke(server.url)
    assert result.returncode == 0, result.stderr
    assert ": 15×15, 9 moves, ● won at " in result.stdout


def test_smoke_fails_with_the_answer_of_a_server_that_cannot_play(start_server):
    # A PostgreSQL backend whose database does not answer: alive, not ready.
    server = start_server("state: {backend: postgres, url: 'postgres://u:p@127.0.0.1:9/d?sslmode=disable', timeout_ms: 300}\n")
    result = smoke(server.url)
    assert result.returncode == 1
    assert f"smoke: FAILED at {server.url}: GET /readyz: expected HTTP 200, got 503: " in result.stderr
    assert '"code":"unavailable"' in result.stderr.replace(" ", "")


def test_smoke_says_when_nothing_answers_and_refuses_a_bad_url():
    url = f"http://127.0.0.1:{free_port()}"
    result = smoke(url, "--wait", "1")
    assert result.returncode == 1
    assert f"smoke: FAILED at {url}: GET /healthz: expected HTTP 200, got no answer: " in result.stderr
    refused = smoke("no running task yet")
    assert refused.returncode == 64
    assert "URL must be http://… or https://… with a port from 1 to 65535, e.g. what make url prints; not no running task yet" in refused.stderr
    assert "--resolve takes HOST:PORT:ADDRESS, not example.com:443" in smoke(url, "--resolve", "example.com:443").stderr
    assert "--cacert applies to https:// URLs only" in smoke(url, "--cacert", "/etc/hostname").stderr


def test_smoke_reports_a_redirect_instead_of_following_it():
    """Port 80 of an HTTPS load balancer answers 301 to https://: following it would turn the POST
    into a GET and play elsewhere, so the smoke game names the redirect and fails."""
    import http.server
    import threading

    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(301)
            self.send_header("Location", "https://tictactoe.example.com:443" + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        result = smoke(url, "--wait", "5")
    finally:
        server.shutdown()
    assert result.returncode == 1
    assert result.stderr.strip() == (f"smoke: FAILED at {url}: GET /healthz: expected HTTP 200, got 301: redirected to "
                                     "https://tictactoe.example.com:443/healthz; the smoke game follows no redirect: "
                                     "play at the address the server names")


def test_smoke_plays_over_https_at_a_domain_pinned_to_an_address(start_server, tmp_path):
    """A domain before DNS names it (as `make run-local` serves production): --resolve connects to
    the address while TLS and the Host header keep the domain; --cacert trusts a local authority,
    and without it the system's authorities refuse the certificate."""
    import socket
    import ssl
    import threading

    server = start_server()
    ca_key, ca, key, csr, cert = (str(tmp_path / name) for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem"))
    openssl = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-keyout", ca_key, "-out", ca, "-subj", "/CN=Smoke Test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=tictactoe.test")
    (tmp_path / "san.ext").write_text("subjectAltName=DNS:tictactoe.test\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-days", "2", "-out", cert,
            "-extfile", str(tmp_path / "san.ext"))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    backend = int(server.url.rsplit(":", 1)[1])

    def pipe(source, sink):
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def terminate():  # TLS in front of the server, as a load balancer's HTTPS listener
        while True:
            try:
                raw, _ = listener.accept()
            except OSError:
                return
            try:
                tls = context.wrap_socket(raw, server_side=True)
            except (ssl.SSLError, OSError):
                raw.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", backend))
            threading.Thread(target=pipe, args=(tls, upstream), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, tls), daemon=True).start()

    threading.Thread(target=terminate, daemon=True).start()
    try:
        url = f"https://tictactoe.test:{port}/"
        pinned = ["--resolve", f"tictactoe.test:{port}:127.0.0.1"]
        result = smoke(url, *pinned, "--cacert", ca)
        assert result.returncode == 0, result.stderr
        assert f": 3×3, 5 moves, X won at https://tictactoe.test:{port} in " in result.stdout
        untrusted = smoke(url, *pinned, "--wait", "0")
        assert untrusted.returncode == 1
        assert f"smoke: FAILED at https://tictactoe.test:{port}: GET /healthz: expected HTTP 200, got no answer: TLS failed: " in untrusted.stderr
    finally:
        listener.close()
