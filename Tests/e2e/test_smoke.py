"""`make smoke URL=…`, the game `make deploy` plays through a deployed address before it reports
success: what it says of a server that plays, and of one that does not."""
import os
import subprocess

from conftest import ROOT, free_port


def smoke(*args, timeout=60):
    return subprocess.run(["python3", os.path.join(ROOT, "scripts/smoke.py"), *args], capture_output=True, text=True, timeout=timeout)


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
    assert smoke("no running task yet").returncode == 2


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
