"""The rehearsal under the disruptions a Fargate service meets, while players play online games
with live streams through the balancer: a task killed, the database stopped for 20 s, a rolling
deploy, and a new image that cannot start (rolled back). These take minutes, so they run in
`make test-run-local` (TICTACTOE_RUN_LOCAL_FULL=1), not in `make test`."""
import os
import subprocess
import time

import pytest
from conftest import REPO, ROOT, VARIANT, Client, make, sh
from players import Player, error_code
from run_local.database import Postgres

pytestmark = pytest.mark.skipif(os.environ.get("TICTACTOE_RUN_LOCAL_FULL") != "1",
                                reason="the rehearsal's disruptions run in make test-run-local")


def tasks(docker_env):
    status = make(docker_env, "run-local-status", f"VARIANT={VARIANT}").stdout
    return [line.split() for line in status.splitlines() if line.strip().startswith(f"tictactoe-local-{VARIANT}-")]


def wait_stable(docker_env, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        rows = tasks(docker_env)
        if len(rows) == 3 and all(row[-1] == "UP" for row in rows):
            return rows
        time.sleep(2)
    raise AssertionError(f"not 3 healthy tasks within {seconds} s: {rows}")


@pytest.fixture
def players(rehearsal):
    _, local, _ = rehearsal
    started = [Player(Client(local.balancer_address)) for _ in range(3)]
    for player in started:
        player.start()
    yield started
    for player in started:
        player.stop()


def judged(players):
    for player in players:
        player.stop()
    lost = [entry for player in players for entry in player.lost_moves()]
    assert lost == [], lost
    assert sum(player.games for player in players) > 0


def test_a_killed_task_is_replaced_and_every_game_goes_on(docker_env, rehearsal, players):
    _, local, _ = rehearsal
    before = wait_stable(docker_env)
    time.sleep(3)
    victim = before[0][0]
    killed_at = time.monotonic()
    sh("docker", "kill", "--signal", "KILL", victim)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        rows = tasks(docker_env)
        if victim not in [row[0] for row in rows] and len(rows) == 3 and all(row[-1] == "UP" for row in rows):
            break
        time.sleep(1)
    else:
        raise AssertionError(f"{victim} was not replaced by a healthy task within 90 s: {rows}")
    print(f"rehearsal figures: a killed task's replacement served {time.monotonic() - killed_at:.1f} s after kill -9")
    time.sleep(3)
    judged(players)
    assert not [error for player in players for error in player.task_errors], "a task answered 5xx"


def test_the_database_stopped_for_20_s_makes_tasks_not_ready_and_they_recover(docker_env, rehearsal, players):
    _, local, _ = rehearsal
    wait_stable(docker_env)
    database = Postgres(local.path("postgres"), local.database_address)
    time.sleep(2)
    database.stop()
    try:
        time.sleep(3)
        readiness = [Client(local.task_address(n), 8000).request("GET", "/readyz")[0] for n in range(1, 7)
                     if subprocess.run(["bash", "-c", f"exec 3<>/dev/tcp/{local.task_address(n)}/8000"], capture_output=True).returncode == 0]
        assert readiness and set(readiness) == {503}, readiness
        time.sleep(17)
    finally:
        subprocess.run(["runuser", "-u", "postgres", "--", f"{database.bin}/pg_ctl", "-D", database.dir, "-l",
                        os.path.join(database.dir, "server.log"), "-w", "-t", "30", "start", "-o",
                        f"-c listen_addresses={local.database_address} -p 5432 -k {database.dir} -c ssl=on "
                        f"-c ssl_cert_file={database.dir}/server.crt -c ssl_key_file={database.dir}/server.key"],
                       check=True, capture_output=True, timeout=60)
    wait_stable(docker_env)
    games_before = sum(player.games for player in players)
    time.sleep(8)
    assert sum(player.games for player in players) > games_before, "no game finished after the database came back"
    refused = [error for player in players for error in player.task_errors]
    assert refused and all(error_code(error[3]) == "unavailable" for error in refused), refused[:3]
    judged(players)


def test_a_rolling_deploy_under_live_play_loses_nothing(docker_env, rehearsal, players):
    _, local, _ = rehearsal
    before = {row[0] for row in wait_stable(docker_env)}
    time.sleep(3)
    started = time.monotonic()
    deploy = make(docker_env, "run-local-deploy", f"VARIANT={VARIANT}", "VERSION=rehearsal-2", "WAIT=300")
    took = time.monotonic() - started
    assert "deploy: revision " in deploy.stdout and " serves; the rolling replacement took " in deploy.stdout, deploy.stdout
    after = {row[0] for row in wait_stable(docker_env)}
    assert before.isdisjoint(after)
    time.sleep(3)
    streams = [stream for player in players for stream in player.streams]
    judged(players)
    assert not [error for player in players for error in player.task_errors], "a task answered 5xx during the deploy"
    # Every stream opened before the deploy and still open lost its task and came back.
    resumed = [stream for stream in streams if stream.reconnects]
    assert resumed, "no stream was on a replaced task"
    longest = max(player.longest_wait for player in players)
    gaps = max((gap for stream in streams for gap in stream.gaps), default=0)
    print(f"rehearsal figures: rolling deploy {took:.1f} s (make run-local-deploy, image build included); "
          f"longest a move waited {longest:.1f} s; longest a stream was away {gaps:.1f} s; "
          f"balancer errors retried {sum(p.balancer_errors for p in players)}")


def test_an_image_that_cannot_start_is_rolled_back_while_the_old_tasks_serve(docker_env, rehearsal, tmp_path):
    _, local, _ = rehearsal
    before = {row[0] for row in wait_stable(docker_env)}
    broken = f"{REPO}:broken"
    (tmp_path / "Dockerfile").write_text(f"FROM {REPO}:{VARIANT}-amd64\nCMD [\"serve\", \"--config\", \"/nonexistent.yaml\"]\n")
    sh("docker", "buildx", "build", "--network", "host", "--load", "-t", broken, str(tmp_path))
    client = Client(local.balancer_address)
    deploy = subprocess.Popen(["make", "--no-print-directory", "run-local-deploy", f"VARIANT={VARIANT}", f"IMAGE={broken}", "WAIT=300",
                               f"REPO={REPO}", *[f"{k}={v}" for k, v in docker_env.items()]],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    answers = []
    while deploy.poll() is None:
        answers.append(client.request("GET", "/healthz")[0])
        time.sleep(0.5)
    out, err = deploy.communicate()
    assert deploy.returncode != 0
    assert "rolled back to revision" in err and "exited with code" in err and "/nonexistent.yaml" in err, err
    assert "tasks still serve" in err
    assert set(answers) == {200}, answers
    assert {row[0] for row in wait_stable(docker_env)} == before
