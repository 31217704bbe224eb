"""The rehearsal under the disruptions a Fargate service meets, while players play online games
with live streams through the balancer: a task killed, the database stopped for 20 s, a rolling
deploy, and a new image that cannot start (rolled back). These take minutes, so they run in
`make test-run-local` (TICTACTOE_RUN_LOCAL_FULL=1), not in `make test`."""
import os
import subprocess
import time

import pytest
from conftest import REPO, ROOT, VARIANT, Client, make, sh
from run_local.rehearsal import Rehearsal
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
    before = wait_stable(docker_env)
    database = Postgres(local.path("postgres"), local.database_address)
    time.sleep(2)
    database.stop()
    try:
        time.sleep(3)
        # Each task, asked directly, is not ready (and says no more than that).
        addresses = [row[2].rsplit(":", 1) for row in tasks(docker_env)]
        readiness = [Client(address, int(port)).request("GET", "/readyz")[:2] for address, port in addresses]
        assert len(readiness) == 3 and {status for status, _ in readiness} == {503}, readiness
        time.sleep(17)
    finally:
        database.resume()
    # They recover by themselves. A task the balancer saw fail its unhealthy threshold of checks
    # (3, 10 s apart: the third can fall 20 s after the first) is replaced, as ECS replaces it.
    after = wait_stable(docker_env)
    replaced = len({row[0] for row in before} - {row[0] for row in after})
    print(f"rehearsal figures: the database stopped 20 s: {replaced} of 3 tasks replaced after failing the balancer's checks")
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
    # Each long game's stream lost its task and came back by Last-Event-ID, with every move.
    for player in players:
        player.halt()
    time.sleep(3)
    for player in players:
        game_id, _, stream = player.long
        assert stream.reconnects >= 1, (f"the stream of {game_id} never lost its task: {stream.connections} connections, "
                                        f"last event {stream.last_id}, {stream.events.qsize()} events")
        assert player.long_version >= 3 and stream.last_id.split(".")[0] == str(player.long_version), (stream.last_id, player.long_version)
    judged(players)
    assert not [error for player in players for error in player.task_errors], "a task answered 5xx during the deploy"
    gaps = max(gap for player in players for gap in player.long[2].gaps)
    longest = max(player.longest_wait for player in players)
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


def test_an_https_variant_is_rehearsed_at_its_domain_with_port_80_redirecting(docker_env):
    """`production` as the stack makes it: a 443 listener with a certificate for its domain (the
    local CA's), port 80 answering 301 to HTTPS, and the tasks behind HTTPS sending HSTS."""
    make(docker_env, "run-local-destroy", "VARIANT=production", check=False)
    make(docker_env, "image", "VARIANT=production")
    try:
        up = make(docker_env, "run-local", "VARIANT=production", "WAIT=240").stdout
        local = Rehearsal("production", os.path.join(ROOT, "variants"))
        assert up.strip().splitlines()[-1] == "https://tictactoe.example.com/"
        assert "smoke: played game " in up and " at https://tictactoe.example.com in " in up, up
        redirect = sh("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", "-H", "Host: tictactoe.example.com",
                      f"http://{local.balancer_address}/api/config").stdout
        assert redirect == "301 https://tictactoe.example.com/api/config"
        headers = sh("curl", "-s", "-D", "-", "-o", "/dev/null", "--resolve", f"tictactoe.example.com:443:{local.balancer_address}",
                     "--cacert", local.authority.cert, "https://tictactoe.example.com/").stdout.lower()
        assert headers.startswith("http/1.1 200") and "strict-transport-security: max-age=31536000" in headers
    finally:
        make(docker_env, "run-local-destroy", "VARIANT=production", check=False, timeout=300)
