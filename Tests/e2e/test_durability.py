"""`kill -9` of a server under load loses no answered move and tears no game."""
import http.client
import json
import os
import sqlite3
import threading
import time

import pytest

from conftest import Server

# Cells in the order each game is played: X wins on the anti-diagonal at the 7th move.
CELLS = [0, 1, 2, 3, 4, 5, 6]


def play_until_stopped(port, stop, acknowledged, lock):
    """Creates games and plays them, recording every move the server answered 200 for."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    headers = {"Content-Type": "application/json"}
    try:
        while not stop.is_set():
            connection.request("POST", "/api/games", body="{}", headers=headers)
            response = connection.getresponse()
            game = json.loads(response.read())
            if response.status != 201:
                continue
            with lock:
                acknowledged[game["id"]] = []
            for cell in CELLS:
                if stop.is_set():
                    return
                connection.request("POST", f"/api/games/{game['id']}/moves", body=json.dumps({"index": cell}), headers=headers)
                response = connection.getresponse()
                body = json.loads(response.read())
                if response.status == 200:
                    with lock:
                        acknowledged[game["id"]] = body["moves"]
    except (OSError, http.client.HTTPException, ValueError):
        return  # the server was killed


def kill_under_load_and_check(start_server, yaml_text, env=None, seconds=2.0):
    server = start_server(yaml_text, env=env)
    stop, lock = threading.Event(), threading.Lock()
    acknowledged = {}
    workers = [threading.Thread(target=play_until_stopped, args=(server.port, stop, acknowledged, lock)) for _ in range(4)]
    for worker in workers:
        worker.start()
    time.sleep(seconds)
    server.process.kill()  # SIGKILL: no graceful shutdown, no flush
    server.process.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    with lock:
        answered = dict(acknowledged)
    moves_answered = sum(len(m) for m in answered.values())
    assert moves_answered >= 50, f"too little load to mean anything: {moves_answered} moves"

    restarted = start_server(yaml_text, env=env)
    assert restarted.wait_ready()[0] == 200
    for game_id, moves in answered.items():
        status, game, _ = restarted.request("GET", f"/api/games/{game_id}")
        assert status == 200, (game_id, status, game)
        # Every answered move is there, in order; a move stored just before the kill may follow.
        assert game["moves"][: len(moves)] == moves, (game_id, moves, game["moves"])
        # Not torn: version, moves and board tell the same story.
        assert game["version"] == len(game["moves"])
        symbols = ["X", "O"]
        expected = [""] * 9
        for turn, cell in enumerate(game["moves"]):
            expected[cell] = symbols[turn % 2]
        assert game["board"] == expected, (game_id, game)
    return answered, restarted


def test_sqlite_survives_kill_9_under_load(start_server, tmp_path):
    path = tmp_path / "games.sqlite"
    yaml_text = f"server: {{log_level: warning}}\nstate: {{backend: sqlite, path: {path}}}\n"
    answered, restarted = kill_under_load_and_check(start_server, yaml_text)
    restarted.stop()
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM games").fetchone()[0] >= len(answered)


def test_postgres_survives_kill_9_under_load(start_server, postgres):
    database = f"durability_{os.getpid()}"
    postgres.psql(f"CREATE DATABASE {database} OWNER tictactoe", database="postgres")
    yaml_text = "server: {log_level: warning}\nstate: {backend: postgres, timeout_ms: 2000}\n"
    env = {"DATABASE_URL": postgres.database_url(database)}
    answered, _ = kill_under_load_and_check(start_server, yaml_text, env=env)
    stored = int(postgres.psql("SELECT count(*) FROM games", database=database))
    assert stored >= len(answered)
