"""State backends and online play, black-box: the release binary on a real PostgreSQL."""
import concurrent.futures
import json
import random
import sqlite3
import subprocess
import threading
import time

import pytest

from conftest import BIN, UNAVAILABLE, EventStream

PASSWORD = "tictactoe-test-secret"


def pg_config(extra=""):
    return "server: {heartbeat_s: 1, log_format: json}\nstate: {backend: postgres, timeout_ms: 1000}\n" + extra


def start_pg_servers(start_server, postgres, count=2, yaml_text=None, url=None):
    servers = [start_server(yaml_text or pg_config(), env={"DATABASE_URL": url or postgres.url}) for _ in range(count)]
    for server in servers:
        status, body, _ = server.wait_ready()
        assert status == 200, body
    return servers


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def move(server, game_id, index, token=None, version=None):
    body = {"index": index}
    if version is not None:
        body["version"] = version
    return server.request("POST", f"/api/games/{game_id}/moves", body, headers=bearer(token) if token else None)


def test_two_processes_play_one_online_game_with_live_updates(start_server, postgres):
    a, b = start_pg_servers(start_server, postgres)
    status, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    assert status == 201 and created["you"] == "X" and created["seatsTaken"] == ["X"]
    game_id, x_token = created["id"], created["token"]
    x_view = EventStream(a, game_id)
    o_view = EventStream(b, game_id)
    assert o_view.status == 200 and o_view.headers["Content-Type"].startswith("text/event-stream")
    assert x_view.next_event()[1]["version"] == 0
    assert o_view.next_event()[1]["seatsTaken"] == ["X"]

    status, joined, _ = b.request("POST", f"/api/games/{game_id}/seats", {})
    assert status == 201 and joined["you"] == "O"
    o_token = joined["token"]
    # The creator, on the other process, sees the friend arrive.
    assert x_view.wait_for(lambda g: g["seatsTaken"] == ["X", "O"])[1]["version"] == 0

    plays = [(a, x_token, 0), (b, o_token, 3), (a, x_token, 1), (b, o_token, 4), (a, x_token, 2)]
    for version, (server, token, cell) in enumerate(plays):
        status, body, _ = move(server, game_id, cell, token, version)
        assert status == 200, body
        for view in (x_view, o_view):
            event_id, game = view.wait_for(lambda g: g["version"] == version + 1)
            assert game["moves"] == [c for _, _, c in plays[:version + 1]]
            assert event_id == f"{version + 1}.2.0"
    final = game
    assert final["status"] == "won" and final["winner"] == "X" and final["winningLine"] == [0, 1, 2]

    # Both players ask for a rematch at once, on different processes: one new game, seats swapped.
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        by_x = pool.submit(a.request, "POST", f"/api/games/{game_id}/rematch", {}, bearer(x_token))
        by_o = pool.submit(b.request, "POST", f"/api/games/{game_id}/rematch", {}, bearer(o_token))
        (sx, rx, _), (so, ro, _) = by_x.result(), by_o.result()
    assert sx == 201 and so == 201 and rx["id"] == ro["id"]
    assert rx["you"] == "O" and ro["you"] == "X"
    for view in (x_view, o_view):
        assert view.wait_for(lambda g: g["rematchId"] == rx["id"])[0] == "5.2.1"
    # The old O starts the rematch.
    assert move(a, rx["id"], 4, x_token)[0] == 409
    assert move(b, rx["id"], 4, o_token)[0] == 200
    x_view.close()
    o_view.close()


def test_streams_resume_from_the_last_event_and_send_heartbeats(start_server, postgres):
    a, b = start_pg_servers(start_server, postgres)
    status, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    game_id, x_token = created["id"], created["token"]
    assert move(a, game_id, 4, x_token)[0] == 200
    # A client that saw 1.1.0 reconnects to the other process: nothing is repeated, only news.
    view = EventStream(b, game_id, last_event_id="1.1.0")
    assert view.next_event(timeout=3, skip_heartbeats=False) == EventStream.HEARTBEAT
    status, joined, _ = a.request("POST", f"/api/games/{game_id}/seats", {})
    event_id, game = view.next_event(timeout=5)
    assert event_id == "1.2.0" and game["seatsTaken"] == ["X", "O"]
    # A stale Last-Event-ID gets the current state at once.
    stale = EventStream(a, game_id, last_event_id="0.1.0")
    assert stale.next_event(timeout=2)[0] == "1.2.0"
    # Three streams, two processes: one LISTEN connection per process, not one per client (each
    # process starts listening once it has a stream open).
    third = EventStream(a, game_id)
    third.next_event()
    deadline = time.monotonic() + 5
    while True:
        listeners = postgres.psql("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tictactoe-listen'")
        if listeners == "2" or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert listeners == "2"
    for stream in (view, stale, third):
        stream.close()


def test_sigterm_closes_live_streams_and_exits_promptly(start_server, postgres):
    (a,) = start_pg_servers(start_server, postgres, count=1)
    _, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    view = EventStream(a, created["id"])
    view.next_event()
    started = time.monotonic()
    assert a.stop(timeout=10) == 0
    assert time.monotonic() - started < 3
    assert view.closed.wait(2)


def test_hammered_game_stores_exactly_the_acknowledged_moves(start_server, postgres):
    config = pg_config("board: {rows: 10, cols: 10, win_length: 10}\nopponent: {kind: human}\n")
    a, b = start_pg_servers(start_server, postgres, yaml_text=config)
    _, created, _ = a.request("POST", "/api/games", {})
    game_id = created["id"]
    answers = []
    lock = threading.Lock()

    def player(seed):
        rng = random.Random(seed)
        server = (a, b)[seed % 2]
        for _ in range(25):
            status, body, _ = move(server, game_id, rng.randrange(100))
            with lock:
                answers.append((status, body))

    threads = [threading.Thread(target=player, args=(seed,)) for seed in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    statuses = {status for status, _ in answers}
    assert statuses <= {200, 409}, statuses
    accepted = [body for status, body in answers if status == 200]
    _, stored, _ = b.request("GET", f"/api/games/{game_id}")
    assert len(accepted) == stored["version"] == len(stored["moves"])
    assert len(set(stored["moves"])) == len(stored["moves"])
    # Every acknowledged answer is a prefix of what was stored, each version told once.
    assert sorted(body["version"] for body in accepted) == list(range(1, stored["version"] + 1))
    for body in accepted:
        assert stored["moves"][: body["version"]] == body["moves"]
    for status, body in answers:
        if status == 409:
            assert body["error"]["code"] in {"cell_taken", "stale_version"}


def test_postgres_restart_mid_game_loses_nothing_acknowledged(start_server, postgres):
    a, b = start_pg_servers(start_server, postgres)
    _, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    game_id, x_token = created["id"], created["token"]
    _, joined, _ = b.request("POST", f"/api/games/{game_id}/seats", {})
    o_token = joined["token"]
    assert move(a, game_id, 0, x_token)[0] == 200
    assert move(b, game_id, 4, o_token)[0] == 200
    view = EventStream(a, game_id)
    view.wait_for(lambda g: g["version"] == 2)

    postgres.stop()
    try:
        started = time.monotonic()
        status, body, headers = move(a, game_id, 8, x_token)
        assert status == 503 and body["error"]["code"] == "unavailable" and headers["Retry-After"] == "1"
        while (answer := a.request("GET", "/readyz"))[0] == 200 and time.monotonic() - started < 4:
            time.sleep(0.2)
        status, body, _ = answer
        assert status == 503 and body["error"] == {"code": "unavailable", "message": UNAVAILABLE, "requestId": body["error"]["requestId"]}
        status, body, headers = move(a, game_id, 8, x_token)
        assert status == 503 and body["error"]["code"] == "unavailable" and headers["Retry-After"] == "1"
        assert a.request("GET", "/healthz")[0] == 200
        assert time.monotonic() - started < 5
    finally:
        postgres.start()
    for server in (a, b):
        status, body, _ = server.wait_ready(timeout=20)
        assert status == 200, body
    _, game, _ = a.request("GET", f"/api/games/{game_id}")
    assert game["moves"] == [0, 4] and game["version"] == 2
    # Service resumes, and live updates cross processes again after the notification connection
    # reconnected by itself.
    deadline = time.monotonic() + 15
    while True:
        status, body, _ = move(a, game_id, 8, x_token, version=2)
        if status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert status == 200, body
    assert move(b, game_id, 2, o_token, version=3)[0] == 200
    assert view.wait_for(lambda g: g["version"] == 4, timeout=10)[1]["moves"] == [0, 4, 8, 2]
    view.close()
    assert PASSWORD not in a.output() and PASSWORD not in b.output()


def test_a_sqlite_file_from_version_0_1_0_is_migrated_in_place(start_server, tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("""CREATE TABLE games (
            id TEXT PRIMARY KEY, rows INTEGER NOT NULL, cols INTEGER NOT NULL, win_length INTEGER NOT NULL,
            rule TEXT NOT NULL, moves TEXT NOT NULL, version INTEGER NOT NULL, opponent TEXT NOT NULL,
            computer_seat INTEGER NOT NULL, rematch_id TEXT, touched_at INTEGER NOT NULL)""")
        db.execute("INSERT INTO games VALUES ('oldGame000000001', 3, 3, 3, 'standard', '4,0', 2, 'human', 1, NULL, ?)",
                   (int(time.time() * 1000),))
    server = start_server(f"state: {{backend: sqlite, path: {path}}}\n")
    status, game, _ = server.request("GET", "/api/games/oldGame000000001")
    assert status == 200 and game["moves"] == [4, 0] and game["opponent"] == "human" and game["seatsTaken"] is None
    assert game["clock"] is None and game["timedOut"] is None
    status, created, _ = server.request("POST", "/api/games", {"opponent": "online"})
    assert status == 201 and created["seatsTaken"] == ["X"]
    server.stop()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone()[0] == 4


def test_concurrent_starts_migrate_a_fresh_database_once(start_server, postgres):
    name = "fresh_" + str(random.randrange(10**9))
    postgres.psql(f"CREATE DATABASE {name} OWNER tictactoe")
    servers = start_pg_servers(start_server, postgres, count=3, url=postgres.database_url(name))
    assert postgres.psql("SELECT version FROM tictactoe_schema", database=name) == "3"
    _, created, _ = servers[0].request("POST", "/api/games", {})
    assert servers[2].request("GET", f"/api/games/{created['id']}")[1]["id"] == created["id"]


def test_unreachable_postgres_starts_not_ready_and_says_why(start_server, postgres):
    url = f"postgres://tictactoe:{PASSWORD}@127.0.0.1:9/tictactoe?sslmode=disable"
    server = start_server(pg_config(), env={"DATABASE_URL": url})
    status, body, _ = server.request("GET", "/readyz")
    assert status == 503 and body["error"]["message"] == UNAVAILABLE
    assert server.request("POST", "/api/games", {})[0] == 503
    time.sleep(0.5)
    log = server.output()
    assert "PostgreSQL is not ready; retrying" in log
    assert PASSWORD not in log


def test_a_refused_login_is_logged_under_the_request_id_and_never_answered(start_server, postgres):
    url = postgres.url.replace(PASSWORD, "wrong-password")
    server = start_server(pg_config(), env={"DATABASE_URL": url})
    status, body, _ = server.request("GET", "/readyz")
    assert status == 503
    assert body["error"]["message"] == UNAVAILABLE and "tictactoe" not in json.dumps(body)
    logged = [line for line in server.logged(body["error"]["requestId"], until=lambda lines: any("cause" in line for line in lines)) if "cause" in line]
    assert [line["message"] for line in logged] == [UNAVAILABLE]
    assert 'password authentication failed for user "tictactoe"' in logged[0]["cause"]
    assert "wrong-password" not in server.output()


def test_check_config_never_prints_the_database_password(tmp_path):
    config = tmp_path / "db.yaml"
    config.write_text(f"state: {{backend: postgres, url: \"postgres://game:{PASSWORD}@db:5432/games\"}}\n")
    result = subprocess.run([BIN, "check-config", str(config)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    assert "postgres://***@db:5432/games" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("state: {backend: postgres}\n")
    result = subprocess.run([BIN, "check-config", str(bad)], capture_output=True, text=True, timeout=30,
                            env={"DATABASE_URL": f"postgres://game:{PASSWORD}@db:99999/games", "PATH": "/usr/bin:/bin"})
    assert result.returncode != 0
    assert "environment variable DATABASE_URL" in result.stderr and PASSWORD not in result.stderr


def test_seat_tokens_never_reach_the_logs(start_server):
    server = start_server("server: {log_format: json}\n")
    _, created, _ = server.request("POST", "/api/games", {"opponent": "online"})
    _, joined, _ = server.request("POST", f"/api/games/{created['id']}/seats", {})
    assert move(server, created["id"], 4, created["token"])[0] == 200
    assert server.request("GET", f"/api/games/{created['id']}", headers=bearer(joined["token"]))[1]["you"] == "O"
    log = server.output()
    assert created["id"] in log
    assert created["token"] not in log and joined["token"] not in log


def test_a_stopped_process_turn_clock_is_kept_and_another_process_ends_the_game(start_server, postgres):
    config = pg_config("online: {turn_s: 2}\n")
    a = start_pg_servers(start_server, postgres, count=1, yaml_text=config)[0]
    status, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    assert status == 201 and created["clock"] == {"seconds": 2, "endsAt": None, "msLeft": None}
    status, joined, _ = a.request("POST", f"/api/games/{created['id']}/seats", {})
    assert status == 201 and 0 < joined["clock"]["msLeft"] <= 2000
    ends_at = joined["clock"]["endsAt"]
    # The process that started the clock stops; a new one, started later, enforces its deadline.
    assert a.stop() == 0
    b = start_pg_servers(start_server, postgres, count=1, yaml_text=config)[0]
    view = EventStream(b, created["id"], player=True)
    _, game = view.wait_for(lambda g: g["status"] == "won", timeout=6)
    assert game["timedOut"] == "X" and game["winner"] == "O" and game["clock"]["endsAt"] is None
    status, again, _ = b.request("GET", f"/api/games/{created['id']}")
    assert status == 200 and again["version"] == game["version"] == 1 and again["score"]["O"] == 1
    view.close()
    assert ends_at.endswith("Z")


def test_a_spectator_on_one_process_is_counted_on_the_other(start_server, postgres):
    a, b = start_pg_servers(start_server, postgres)
    status, created, _ = a.request("POST", "/api/games", {"opponent": "online"})
    player = EventStream(a, created["id"], player=True)
    assert player.named.get(timeout=5) == ("spectators", {"spectators": 0})
    watcher = EventStream(b, created["id"])
    # Each process reports every 5 s; the player's stream hears the watcher within two reports.
    deadline = time.monotonic() + 12
    seen = None
    while time.monotonic() < deadline and seen != ("spectators", {"spectators": 1}):
        try:
            seen = player.named.get(timeout=max(0.01, deadline - time.monotonic()))
        except Exception:
            break
    assert seen == ("spectators", {"spectators": 1})
    watcher.close()
    player.close()
