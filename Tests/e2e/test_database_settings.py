"""The database given as separate settings (libpq's PG* variables), over TLS verify-full against a
CA file, and a database that goes away for 20 s (as an auto-paused Aurora does while it resumes)."""
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request

import pytest
from conftest import BIN, ROOT, UNAVAILABLE, Postgres, free_port

# Every character a URL would need escaped, and a quote for SQL.
PASSWORD = "p@ss:w/o?rd#%&=+ 'quoted' \"double\" ;\\ end"


def make_ca(folder, name, server_names=None):
    """A certificate authority `name` in `folder`; with `server_names`, also a server certificate
    and key it signed, for those names (DNS names and IP addresses)."""
    key, cert = os.path.join(folder, f"{name}.key"), os.path.join(folder, f"{name}.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                    "-subj", f"/CN={name}"], check=True, capture_output=True, timeout=60)
    if server_names:
        extensions = os.path.join(folder, "san.ext")
        with open(extensions, "w") as f:
            f.write("subjectAltName=" + ",".join(server_names) + "\n")
        subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", os.path.join(folder, "server.key"),
                        "-out", os.path.join(folder, "server.csr"), "-subj", "/CN=localhost"], check=True, capture_output=True, timeout=60)
        subprocess.run(["openssl", "x509", "-req", "-in", os.path.join(folder, "server.csr"), "-CA", cert, "-CAkey", key,
                        "-CAcreateserial", "-out", os.path.join(folder, "server.crt"), "-days", "2", "-extfile", extensions],
                       check=True, capture_output=True, timeout=60)
    return cert


@pytest.fixture(scope="module")
def tls_postgres(tmp_path_factory):
    folder = str(tmp_path_factory.mktemp("tls"))
    ca = make_ca(folder, "test-ca", ["DNS:localhost", "IP:127.0.0.1"])
    other_ca = make_ca(folder, "other-ca")
    server = Postgres(tls_dir=folder)
    escaped = PASSWORD.replace("'", "''")
    server.psql(f"CREATE ROLE punctuated LOGIN PASSWORD '{escaped}'", database="postgres")
    server.psql("GRANT ALL ON SCHEMA public TO punctuated; GRANT ALL ON ALL TABLES IN SCHEMA public TO punctuated")
    server.psql("CREATE DATABASE punctuated OWNER punctuated", database="postgres")
    yield server, ca, other_ca
    server.remove()


def environment(server, ca, **extra):
    env = {"PGHOST": "localhost", "PGPORT": str(server.port), "PGDATABASE": "punctuated", "PGUSER": "punctuated",
           "PGPASSWORD": PASSWORD, "PGSSLMODE": "verify-full", "PGSSLROOTCERT": ca}
    env.update(extra)
    return env


def play(server):
    _, game, _ = server.request("POST", "/api/games", {})
    for cell in (0, 3, 1, 4, 2):
        status, game, _ = server.request("POST", f"/api/games/{game['id']}/moves", {"index": cell, "version": game["version"]})
        assert status == 200, game
    assert game["status"] == "won"
    return game


def test_separate_settings_with_a_punctuated_password_over_verified_tls(start_server, tls_postgres):
    postgres, ca, _ = tls_postgres
    server = start_server("state: {backend: postgres}\n", env=environment(postgres, ca))
    status, body, _ = server.wait_ready()
    assert status == 200, body
    game = play(server)
    assert server.request("GET", f"/api/games/{game['id']}")[1]["moves"] == [0, 3, 1, 4, 2]
    # The pool's connections are encrypted.
    assert postgres.psql("SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) "
                         "WHERE usename = 'punctuated'", database="postgres") == "t"
    assert PASSWORD not in server.output()


def test_a_server_certificate_of_another_ca_is_refused_and_readyz_says_why(start_server, tls_postgres):
    postgres, _, other_ca = tls_postgres
    server = start_server("state: {backend: postgres}\n", env=environment(postgres, other_ca))
    status, body, _ = server.wait_ready(timeout=5)
    assert status == 503 and body["error"]["message"] == UNAVAILABLE
    cause = next(line["cause"] for line in server.logged(body["error"]["requestId"], until=lambda lines: any("cause" in line for line in lines)) if "cause" in line)
    assert "cannot connect to PostgreSQL" in cause and "certificate" in cause.lower(), cause
    assert server.request("GET", "/healthz")[0] == 200


def test_an_unreadable_ca_file_stops_the_server_at_start_naming_the_variable(tls_postgres, tmp_path):
    postgres, _, _ = tls_postgres
    config = tmp_path / "c.yaml"
    config.write_text("state: {backend: postgres}\n")
    missing = str(tmp_path / "no-such-ca.pem")
    result = subprocess.run([BIN, "serve", "--config", str(config)], capture_output=True, text=True, timeout=20,
                            env=dict(os.environ, PORT=str(free_port()), **environment(postgres, missing)))
    assert result.returncode != 0
    assert f"sslrootcert {missing} (from PGSSLROOTCERT) cannot be used as the certificate authorities to trust" in result.stderr


def test_check_config_shows_each_part_and_where_it_came_from(tls_postgres, tmp_path):
    postgres, ca, _ = tls_postgres
    config = tmp_path / "c.yaml"
    config.write_text("state: {backend: postgres, url: 'postgres://someone@filehost/filedb?sslmode=require'}\n")
    result = subprocess.run([BIN, "check-config", str(config)], capture_output=True, text=True, timeout=20,
                            env=dict(os.environ, **environment(postgres, ca, PGUSER="", PGDATABASE="")))
    assert result.returncode == 0, result.stderr
    assert "  host: localhost  # PGHOST" in result.stdout
    assert "  user: someone  # state.url" in result.stdout
    assert "  dbname: filedb  # state.url" in result.stdout
    assert "  password: ***  # PGPASSWORD" in result.stdout
    assert "  sslmode: verify-full  # PGSSLMODE" in result.stdout
    assert PASSWORD not in result.stdout + result.stderr


def test_a_database_gone_for_20_seconds_comes_back_by_itself(start_server, tls_postgres):
    """/healthz answers throughout; /readyz says why it is not ready; then games go on."""
    postgres, ca, _ = tls_postgres
    server = start_server("state: {backend: postgres}\n", env=environment(postgres, ca))
    assert server.wait_ready()[0] == 200
    game = server.request("POST", "/api/games", {})[1]
    postgres.stop()
    stopped = time.monotonic()
    try:
        while server.request("GET", "/readyz")[0] == 200 and time.monotonic() - stopped < 4:
            time.sleep(0.2)
        while time.monotonic() - stopped < 20:
            assert server.request("GET", "/healthz")[0] == 200
            status, body, _ = server.request("GET", "/readyz")
            assert status == 503 and body["error"]["message"] == UNAVAILABLE
            time.sleep(1)
    finally:
        postgres.start()
    restarted = time.monotonic()
    status, body, _ = server.wait_ready(timeout=30)
    assert status == 200, body
    while True:
        status, moved, _ = server.request("POST", f"/api/games/{game['id']}/moves", {"index": 4, "version": 0})
        if status == 200 or time.monotonic() - restarted > 30:
            break
        time.sleep(0.2)
    assert status == 200, moved
    print(f"database back after 20 s away: ready {time.monotonic() - restarted:.1f} s after it restarted, the game went on")


def test_make_run_gives_a_postgres_config_without_a_database_a_throwaway_one():
    port, pg_port = free_port(), free_port()
    process = subprocess.Popen(["scripts/run.sh", BIN, "variants/shared.yaml"], cwd=ROOT,
                               env=dict(os.environ, PORT=str(port), RUN_PG_PORT=str(pg_port)),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline and process.poll() is None, "make run's server did not become ready"
            time.sleep(0.2)
        smoke = subprocess.run([os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe")), "smoke", f"http://127.0.0.1:{port}"], cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert smoke.returncode == 0, smoke.stderr
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=60)[0]
    assert f"variants/shared.yaml names no database: serving it with a throwaway PostgreSQL on 127.0.0.1:{pg_port}" in output
    # The throwaway database stopped with the server.
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", pg_port), timeout=5).close()
