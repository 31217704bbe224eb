"""The real binary, started with a YAML file, played over HTTP."""
import json
import os
import random
import subprocess
import threading
import time
import urllib.request

from conftest import BIN, ROOT, free_port, wait_until_answered


def classic_yaml():
    with open(os.path.join(ROOT, "variants/classic.yaml")) as f:
        return f.read()


def play(server, game_id, index, version=None):
    body = {"index": index}
    if version is not None:
        body["version"] = version
    return server.request("POST", f"/api/games/{game_id}/moves", body)


def test_plays_a_whole_game_to_a_win(start_server):
    server = start_server(classic_yaml())
    status, game, headers = server.request("POST", "/api/games", {})
    assert status == 201
    assert headers["Location"] == f"/api/games/{game['id']}"
    for version, cell in enumerate([4, 0, 2, 6, 3, 5, 1, 7]):
        status, game, _ = play(server, game["id"], cell, version)
        assert status == 200, game
    status, game, _ = play(server, game["id"], 8)
    assert status == 200
    assert game["status"] == "draw"
    assert game["winner"] is None
    assert game["moves"] == [4, 0, 2, 6, 3, 5, 1, 7, 8]

    status, second, _ = server.request("POST", "/api/games", {})
    for cell in [0, 3, 1, 4]:
        play(server, second["id"], cell)
    status, won, _ = server.request("POST", f"/api/games/{second['id']}/moves", {"row": 0, "col": 2})
    assert status == 200
    assert (won["status"], won["winner"], won["winningLine"], won["next"]) == ("won", "X", [0, 1, 2], None)
    status, again, _ = server.request("GET", f"/api/games/{second['id']}")
    assert again == won


def test_plays_against_the_perfect_computer_and_never_wins(start_server):
    server = start_server("opponent: {kind: computer, level: perfect}\n")
    rng = random.Random(5)
    for _ in range(20):
        status, game, _ = server.request("POST", "/api/games", {})
        assert status == 201
        while game["status"] == "playing":
            free = [i for i, v in enumerate(game["board"]) if v == ""]
            status, game, _ = play(server, game["id"], rng.choice(free), game["version"])
            assert status == 200, game
        assert game["winner"] in (None, "O")


def test_every_bad_request_gets_a_json_4xx(start_server):
    server = start_server(classic_yaml())
    _, game, _ = server.request("POST", "/api/games", {})
    gid = game["id"]
    cases = [
        ("POST", f"/api/games/{gid}/moves", b'{"index":"x"}', {}, 400, "invalid_body"),
        ("POST", f"/api/games/{gid}/moves", b'{"index":99}', {}, 400, "outside_board"),
        ("POST", f"/api/games/{gid}/moves", b'{"index":-1}', {}, 400, "outside_board"),
        ("POST", f"/api/games/{gid}/moves", b'{"index":', {}, 400, "malformed_json"),
        ("POST", f"/api/games/{gid}/moves", b'index=1', {"Content-Type": "application/x-www-form-urlencoded"}, 415, "unsupported_media_type"),
        ("POST", f"/api/games/{gid}/moves", b'{"index":1}' + b" " * 10000, {}, 413, "body_too_large"),
        ("POST", "/api/games/AAAAAAAAAAAAAAAA/moves", b'{"index":1}', {}, 404, "game_not_found"),
        ("GET", "/api/games/nope", None, {}, 404, "game_not_found"),
        ("GET", "/no/such/page", None, {}, 404, "not_found"),
    ]
    for method, path, raw, headers, status_expected, code in cases:
        status, body, _ = server.request(method, path, raw=raw, headers=headers)
        assert (status, body["error"]["code"]) == (status_expected, code), (path, raw, body)
        assert body["error"]["message"]
    # Nothing above touched the game.
    _, game, _ = server.request("GET", f"/api/games/{gid}")
    assert game["version"] == 0
    # The server is still healthy and logged no 500.
    assert server.request("GET", "/healthz")[0] == 200
    assert '"internal"' not in server.output()


def test_racing_moves_on_one_cell_accept_exactly_one(start_server):
    server = start_server()
    for _ in range(10):
        _, game, _ = server.request("POST", "/api/games", {})
        results = []
        barrier = threading.Barrier(4)

        def racer():
            barrier.wait()
            results.append(play(server, game["id"], 4, 0))

        threads = [threading.Thread(target=racer) for _ in range(4)]
        [t.start() for t in threads]
        [t.join(timeout=10) for t in threads]
        statuses = sorted(r[0] for r in results)
        assert statuses == [200, 409, 409, 409]
        _, stored, _ = server.request("GET", f"/api/games/{game['id']}")
        assert stored["moves"] == [4]


def test_logs_one_json_object_per_line(start_server):
    server = start_server()
    server.request("GET", "/")
    server.request("POST", "/api/games", {})
    lines = [l for l in server.output().splitlines() if l.strip()]
    assert len(lines) >= 3
    for line in lines:
        record = json.loads(line)
        assert {"time", "level", "message"} <= record.keys()


def test_stops_gracefully_on_sigterm_while_a_request_is_in_flight(start_server):
    server = start_server(
        "board: {rows: 15, cols: 15, win_length: 5}\nopponent: {kind: computer, level: perfect, think_ms: 1500}\n")
    _, game, _ = server.request("POST", "/api/games", {})
    answer = {}

    def slow_move():
        answer["result"] = play(server, game["id"], 112)

    thread = threading.Thread(target=slow_move)
    thread.start()
    time.sleep(0.4)  # the computer is now thinking
    started = time.monotonic()
    code = server.stop(timeout=15)
    thread.join(timeout=15)
    assert code == 0
    assert answer["result"][0] == 200
    assert len(answer["result"][1]["moves"]) == 2
    assert time.monotonic() - started < 10


def test_a_sqlite_game_survives_a_restart(start_server, tmp_path):
    config = f"state: {{backend: sqlite, path: {tmp_path / 'games.sqlite'}}}\n"
    first = start_server(config)
    _, game, _ = first.request("POST", "/api/games", {})
    for cell in (4, 0, 8):
        status, game, _ = play(first, game["id"], cell)
        assert status == 200
    assert first.stop() == 0
    second = start_server(config)
    status, resumed, _ = second.request("GET", f"/api/games/{game['id']}")
    assert status == 200
    assert resumed == game
    status, after, _ = play(second, game["id"], 4)
    assert (status, after["error"]["code"]) == (409, "cell_taken")
    assert second.request("GET", "/readyz")[0] == 200


def test_sigint_also_exits_zero(start_server):
    server = start_server()
    server.process.send_signal(2)
    assert server.process.wait(timeout=10) == 0


def run(*args, env=None):
    environment = dict(os.environ)
    environment.update(env or {})
    return subprocess.run([BIN, *args], capture_output=True, text=True, timeout=120, env=environment)


def test_check_config_accepts_every_variant():
    for name in sorted(os.listdir(os.path.join(ROOT, "variants"))):
        result = run("check-config", os.path.join(ROOT, "variants", name))
        assert result.returncode == 0, result.stderr
        assert "board: {rows:" in result.stdout


def check_config(tmp_path, yaml):
    """`tictactoe check-config` of `yaml` written to a file: (the file, the result)."""
    config = tmp_path / "config.yaml"
    config.write_text(yaml)
    return config, run("check-config", str(config))


def test_check_config_names_file_line_column_and_key(tmp_path):
    bad, result = check_config(tmp_path, "server:\n  port: 70000\n")
    assert result.returncode == 1
    assert result.stderr.strip() == f"error: {bad}:2:9: server.port: expected an integer from 1 to 65535, found 70000"
    _, result = check_config(tmp_path, "bord:\n  rows: 3\n")
    assert "unknown key `bord`; did you mean `board`?" in result.stderr


def test_check_config_warns_when_perfect_cannot_solve_the_board(tmp_path):
    _, result = check_config(tmp_path, "board: {rows: 15, cols: 15, win_length: 5}\nopponent: {level: perfect}\n")
    assert result.returncode == 0
    assert "warning: opponent.level `perfect` cannot solve a 15×15" in result.stderr


def test_serve_refuses_a_bad_config_clearly(tmp_path):
    result = run("serve", "--config", str(tmp_path / "missing.yaml"))
    assert result.returncode == 1
    assert "missing.yaml: cannot read the file (no such file)" in result.stderr
    result = run("serve", env={"PORT": "eighty"})
    assert result.returncode == 1
    assert "environment variable PORT: server.port: expected an integer" in result.stderr
    postgres = tmp_path / "postgres.yaml"
    postgres.write_text("state: {backend: postgres}\n")
    result = run("serve", "--config", str(postgres))
    assert result.returncode == 1
    assert "state.backend `postgres` needs a database: set DATABASE_URL, or PGHOST (with PGUSER, PGPASSWORD, PGDATABASE…), in the environment, or state.url or state.host in the config" in result.stderr
    unwritable = tmp_path / "unwritable.yaml"
    unwritable.write_text("state: {backend: sqlite, path: /nonexistent/dir/games.sqlite}\n")
    result = run("serve", "--config", str(unwritable))
    assert result.returncode == 1
    assert "cannot open the SQLite file /nonexistent/dir/games.sqlite" in result.stderr


def test_empty_config_serves_the_seed_game(start_server):
    server = start_server("")
    status, config, _ = server.request("GET", "/api/config")
    assert status == 200
    assert config["board"] == {"rows": 3, "cols": 3, "winLength": 3, "rule": "standard"}
    assert config["players"]["symbols"] == ["X", "O"]


def test_healthcheck_command(start_server):
    server = start_server()
    assert run("healthcheck", "--port", str(server.port)).returncode == 0
    assert run("healthcheck", env={"PORT": str(server.port)}).returncode == 0
    server.stop()
    result = run("healthcheck", "--port", str(server.port), "--timeout", "1")
    assert result.returncode == 1
    assert "unhealthy" in result.stderr


def test_healthcheck_asks_the_address_the_server_listens_on(tmp_path):
    """A task bound to its own loopback address (as make run-local runs them) is probed there."""
    port = free_port()
    environment = dict(os.environ, PORT=str(port), HOST="127.0.0.7")
    log = open(tmp_path / "server.log", "w")
    process = subprocess.Popen([BIN, "serve"], stdout=log, stderr=subprocess.STDOUT, env=environment)
    try:
        wait_until_answered(f"http://127.0.0.7:{port}/healthz", process, "the server on 127.0.0.7")
        bound = run("healthcheck", env={"HOST": "127.0.0.7", "PORT": str(port)})
        assert (bound.returncode, bound.stdout) == (0, f"healthy: 127.0.0.7:{port} answered /healthz\n")
        # Without HOST, the wildcard default's address, 127.0.0.1, where this server does not listen.
        unbound = run("healthcheck", "--port", str(port), "--timeout", "1")
        assert unbound.returncode == 1
        assert f"unhealthy: 127.0.0.1:{port}: connection refused" in unbound.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_solve_proves_the_classic_boards():
    for (r, c, k), value in {(3, 3, 3): "draw", (4, 4, 4): "draw", (5, 4, 4): "draw", (3, 4, 3): "first-player-win"}.items():
        result = run("solve", "--rows", str(r), "--cols", str(c), "--win", str(k))
        assert result.returncode == 0, result.stderr
        assert result.stdout.split()[0] == value


def test_solve_refuses_bad_flags():
    result = run("solve", "--rows", "3", "--cols", "3", "--win", "4")
    assert result.returncode != 0
    assert "win length must be from 3 to 3" in result.stderr
    result = run("solve", "--rows", "9", "--cols", "9", "--win", "5")
    assert "up to 64 cells" in result.stderr


def test_version_is_the_one_make_gives_tags_and_labels():
    """One version, from git: the binary reports what `make print-version` (git describe) says,
    the value image tags and labels carry too."""
    expected = subprocess.run(["make", "--no-print-directory", "-s", "print-version"], cwd=ROOT, capture_output=True,
                              text=True, timeout=60).stdout.strip()
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == expected


def test_check_config_and_serve_list_every_mistake_in_file_order(tmp_path):
    config = tmp_path / "several.yaml"
    config.write_text("server:\n  port: 0\n  hostt: x\nboard: {rows: 2}\nstate: {backend: sqlit}\n")
    expected = [
        f"error: {config}:2:9: server.port: expected an integer from 1 to 65535, found 0",
        f"error: {config}:3:3: server.hostt: unknown key `hostt`; did you mean `host`?",
        f"error: {config}:4:15: board.rows: expected an integer from 3 to 20, found 2",
        f"error: {config}:5:18: state.backend: expected one of `memory`, `sqlite`, `postgres`, found `sqlit`; did you mean `sqlite`?",
    ]
    checked = subprocess.run([BIN, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 1
    assert checked.stderr.splitlines() == expected
    assert checked.stdout == ""
    served = subprocess.run([BIN, "serve", "--config", str(config)], capture_output=True, text=True, timeout=30)
    assert served.returncode == 1
    assert served.stderr.splitlines() == expected
