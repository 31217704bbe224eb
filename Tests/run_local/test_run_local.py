"""`make run-local` as a new user runs it: the `shared` variant's three tasks behind HAProxy with
PostgreSQL over verify-full, a smoke game through the balancer, an online game whose requests
cross tasks with its live stream, status and logs, a refused second start, and a stop that leaves
nothing running or listening while the data stays (a game outlives stop and start)."""
import json
import os
import re
import signal
import socket

from conftest import VARIANT, Client, LiveStream, make, sh

def listening(address, port):
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((address, port)) == 0


def test_shared_runs_its_desired_count_behind_the_balancer_and_plays_across_tasks(docker_env, rehearsal):
    output, local, seconds = rehearsal
    lines = output.strip().splitlines()
    # The last line is the balancer's URL; the smoke game went through it.
    assert lines[-1] == f"http://{local.balancer_address}/"
    assert any(re.fullmatch(rf"smoke: played game \S+: 3×3, 5 moves, X won at http://{local.balancer_address} in [\d.]+ s", line)
               for line in lines), output
    assert f"balancer: HAProxy at {local.balancer_address} (80 HTTP); health check GET /readyz every 10 s; deregistration delay 30 s" in output
    assert f"database: PostgreSQL at {local.database_address}:5432, database tictactoe, TLS only" in output
    print(f"run-local figures: {seconds:.1f} s from make run-local to its printed URL ({lines[-2]})")

    status = make(docker_env, "run-local-status", f"VARIANT={VARIANT}").stdout
    rows = [line.split() for line in status.splitlines() if line.strip().startswith(f"tictactoe-local-{VARIANT}-")]
    assert len(rows) == 3 and all(row[-1] == "UP" for row in rows), status
    assert [row[2] for row in rows] == [f"{local.task_address(n)}:8000" for n in (1, 2, 3)]

    # An online game played through the balancer: its requests reach several tasks.
    client = Client(local.balancer_address)
    code, created, _ = client.request("POST", "/api/games", {"opponent": "online"})
    assert code == 201, created
    game_id, x_token = created["id"], created["token"]
    stream = LiveStream(client, game_id)
    code, joined, _ = client.request("POST", f"/api/games/{game_id}/seats", {})
    assert code == 201 and joined["you"] == "O"
    o_token = joined["token"]
    plays = [(x_token, 0), (o_token, 3), (x_token, 1), (o_token, 4), (x_token, 2)]
    for version, (token, cell) in enumerate(plays):
        code, game, _ = client.request("POST", f"/api/games/{game_id}/moves", {"index": cell, "version": version}, token)
        assert code == 200, game
        assert stream.wait_for(lambda g: g["version"] == version + 1)[1]["moves"] == [c for _, c in plays[:version + 1]]
    assert game["status"] == "won" and game["winner"] == "X"
    stream.close()
    logs = make(docker_env, "run-local-logs", f"VARIANT={VARIANT}").stdout.splitlines()
    served = {line.split(" ", 1)[0] for line in logs if f"/api/games/{game_id}" in line}
    assert len(served) >= 2, served
    # Every log line is a task's name, then its JSON; the tasks trust only the balancer's address.
    assert all(re.match(rf"tictactoe-local-{VARIANT}-\d+ \{{", line) for line in logs)
    starting = [json.loads(line.split(" ", 1)[1]) for line in logs if '"message":"starting"' in line]
    assert {entry["trusted_proxies"] for entry in starting} == {f"{local.balancer_address}/32"}
    assert {entry["state"] for entry in starting} == {"postgres"}

    # make smoke plays at the printed URL too.
    smoke = make(docker_env, "smoke", f"URL={lines[-1]}").stdout
    assert "smoke: played game " in smoke and f" at http://{local.balancer_address} in " in smoke

    # A second start of a running variant says so and starts nothing.
    again = make(docker_env, "run-local", f"VARIANT={VARIANT}", check=False)
    assert again.returncode != 0
    assert f"error: {VARIANT} is already running locally: make run-local-status VARIANT={VARIANT} shows it" in again.stderr

    # Stop: nothing left running or listening; the data stays, so the game outlives a restart.
    stopped = make(docker_env, "run-local-stop", f"VARIANT={VARIANT}").stdout
    assert f"stopped {VARIANT}: 3 tasks, the balancer and the database" in stopped
    assert not listening(local.balancer_address, 80) and not listening(local.database_address, 5432)
    assert not any(listening(local.task_address(n), 8000) for n in range(1, 7))
    assert make(docker_env, "run-local-status", f"VARIANT={VARIANT}").stdout.startswith(f"{VARIANT}: stopped")
    make(docker_env, "run-local", f"VARIANT={VARIANT}", "WAIT=240")
    code, kept, _ = client.request("GET", f"/api/games/{game_id}")
    assert code == 200 and kept["moves"] == [0, 3, 1, 4, 2]

    # A rehearsal whose scheduler was killed half-way is cleaned up by the next stop.
    os.kill(local.scheduler_pid(), signal.SIGKILL)
    make(docker_env, "run-local-stop", f"VARIANT={VARIANT}")
    assert not listening(local.balancer_address, 80) and not listening(local.database_address, 5432)
    assert not any(listening(local.task_address(n), 8000) for n in range(1, 7))
    assert sh("docker", "ps", "-aq", "--filter", f"label=tictactoe.run-local={VARIANT}").stdout == ""
