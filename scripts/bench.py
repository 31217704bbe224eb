#!/usr/bin/env python3
"""Prints tictactoe's figures beside the anchors', from one run on this machine.

Usage: scripts/bench.py BIN   (make bench builds BIN and installs wrk and Flask first)

- Throughput (wrk -t2 -c32 -d8s): GET / and a game's life, for tictactoe, the seed's Flask app
  and the bare Hummingbird server, with ratios. Targets: >= 20x the seed on both, GET / >= 0.8x
  the bare Hummingbird route.
- The computer's move time per level and board, measured over HTTP on the empty board.
- The solver's times on the proof boards.
- Resident memory after creating 100,000 games, against the cap times the per-game bound.
- Per state backend (memory, sqlite, postgres, and two processes on one postgres): a game's life
  under wrk, as moves per second and latency percentiles. PostgreSQL is a throwaway server on
  127.0.0.1 started by scripts/test-postgres.sh (with fsync off, as in the tests: the figures
  measure the server, not the disk).
"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SHARED = os.environ.get("SHARED", os.path.abspath(os.path.join(ROOT, "..", "shared")))
WRK = ["wrk", "-t2", "-c32", "-d8s", "--latency"]
PER_GAME_BOUND = 2048  # bytes of resident memory per stored 3×3 game, stated and checked below


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, process=None, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def start(cmd, url, env=None, cwd=None):
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env=dict(os.environ, **(env or {})), cwd=cwd)
    wait_ready(url, process)
    return process


def stop(process):
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url, script=None):
    cmd = WRK + (["-s", script] if script else []) + [url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {p: v for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M)}
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, latency, int(errors.group(1)) if errors else 0


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def write_config(text):
    fd, path = tempfile.mkstemp(suffix=".yaml")
    with os.fdopen(fd, "w") as f:
        f.write(text)
    return path


def build_hello():
    source = os.path.join(SHARED, "anchors", "hummingbird-hello")
    work = os.path.join(ROOT, "build", "anchors", "hummingbird-hello")
    if not os.path.isdir(source):
        return None
    os.makedirs(work, exist_ok=True)
    for name in ("Package.swift", "Sources"):
        dest = os.path.join(work, name)
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        (shutil.copytree if name == "Sources" else shutil.copy)(os.path.join(source, name), dest)
    print("building the bare Hummingbird anchor (release)...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--package-path", work], check=True,
                   stdout=subprocess.DEVNULL, timeout=1800)
    return os.path.join(work, ".build", "release", "Hello")


def throughput(binary):
    print("\n== Throughput: wrk -t2 -c32 -d8s, client and server share the 2 cores ==")
    results = {}
    port = free_port()
    config = write_config("server: {host: 127.0.0.1, log_level: warning}\n")
    ours = start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/healthz", env={"PORT": str(port)})
    try:
        results[("tictactoe", "GET /")] = wrk(f"http://127.0.0.1:{port}/")
        results[("tictactoe", "game life")] = wrk(f"http://127.0.0.1:{port}", os.path.join(ROOT, "scripts/wrk/game-life.lua"))
    finally:
        stop(ours)

    seed_run = os.path.join(SHARED, "anchors", "flask-seed", "run.sh")
    if os.path.exists(seed_run):
        port = free_port()
        seed = start(["bash", seed_run, str(port)], f"http://127.0.0.1:{port}/")
        try:
            results[("flask seed", "GET /")] = wrk(f"http://127.0.0.1:{port}/")
            results[("flask seed", "game life")] = wrk(f"http://127.0.0.1:{port}", os.path.join(ROOT, "scripts/wrk/seed-life.lua"))
        finally:
            stop(seed)

    hello = build_hello()
    if hello:
        port = free_port()
        bare = start([hello], f"http://127.0.0.1:{port}/", env={"PORT": str(port)})
        try:
            results[("bare hummingbird", "GET /")] = wrk(f"http://127.0.0.1:{port}/")
            results[("bare hummingbird", "game life")] = wrk(f"http://127.0.0.1:{port}/move", os.path.join(ROOT, "scripts/wrk/hello-post.lua"))
        finally:
            stop(bare)

    print(f"{'server':18} {'workload':10} {'req/s':>10} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
    for (server, workload), (rps, lat, errors) in results.items():
        print(f"{server:18} {workload:10} {rps:10.0f} {lat.get('50', '-'):>9} {lat.get('90', '-'):>9} {lat.get('99', '-'):>9} {errors:8d}")
    for workload in ("GET /", "game life"):
        ours = results[("tictactoe", workload)][0]
        if ("flask seed", workload) in results:
            ratio = ours / results[("flask seed", workload)][0]
            print(f"ratio tictactoe / flask seed, {workload}: {ratio:.1f}x (target >= 20x) {'OK' if ratio >= 20 else 'BELOW TARGET'}")
        if ("bare hummingbird", workload) in results:
            ratio = ours / results[("bare hummingbird", workload)][0]
            target = " (target >= 0.8x)" if workload == "GET /" else ""
            verdict = (" OK" if ratio >= 0.8 else " BELOW TARGET") if workload == "GET /" else ""
            print(f"ratio tictactoe / bare hummingbird, {workload}: {ratio:.2f}x{target}{verdict}")


def computer_times(binary):
    print("\n== The computer's move, over HTTP: first game's opening (cold) / median reply in play ==")
    boards = [(3, 3, 3), (4, 4, 4), (5, 4, 4), (15, 15, 5)]
    print(f"{'board':12} {'easy':>20} {'normal':>20} {'perfect':>20}")
    for rows, cols, k in boards:
        row = []
        for level in ("easy", "normal", "perfect"):
            port = free_port()
            config = write_config(
                f"server: {{host: 127.0.0.1, log_level: warning}}\nboard: {{rows: {rows}, cols: {cols}, win_length: {k}}}\n"
                f"opponent: {{kind: computer, plays: X, level: {level}, think_ms: 200}}\n")
            server = start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/healthz", env={"PORT": str(port)})
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

                def post(path, body):
                    begin = time.perf_counter()
                    connection.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
                    game = json.loads(connection.getresponse().read())
                    return game, time.perf_counter() - begin

                game, opening = post("/api/games", {})
                replies = []
                for _ in range(5):
                    game, _ = post("/api/games", {})
                    while game.get("status") == "playing" and len(replies) < 60:
                        free = [i for i, v in enumerate(game["board"]) if v == ""]
                        game, elapsed = post(f"/api/games/{game['id']}/moves", {"index": free[len(free) // 2]})
                        replies.append(elapsed)
                row.append(f"{opening * 1000:.1f} / {statistics.median(replies) * 1000:.1f} ms")
            finally:
                stop(server)
        print(f"{rows}x{cols} k={k:<5} " + " ".join(f"{t:>20}" for t in row))


def solver_times(binary):
    print("\n== Solver (release build, one core) ==")
    for rows, cols, k in [(3, 3, 3), (4, 4, 4), (5, 4, 4), (4, 5, 4)]:
        out = subprocess.run([binary, "solve", "--rows", str(rows), "--cols", str(cols), "--win", str(k)],
                             capture_output=True, text=True, timeout=600).stdout.strip()
        print(f"({rows},{cols},{k}): {out}")


def memory(binary, games=100_000):
    print(f"\n== Resident memory after creating {games:,} games ==")
    port = free_port()
    config = write_config(f"server: {{host: 127.0.0.1, log_level: warning, games: {{max: {games}}}}}\n")
    server = start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/healthz", env={"PORT": str(port)})
    try:
        baseline = rss_kib(server.pid)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        begin = time.perf_counter()
        for _ in range(games):
            connection.request("POST", "/api/games", body="{}", headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            response.read()
            assert response.status == 201
        elapsed = time.perf_counter() - begin
        after = rss_kib(server.pid)
    finally:
        stop(server)
    per_game = (after - baseline) * 1024 / games
    print(f"baseline {baseline / 1024:.1f} MiB, after {after / 1024:.1f} MiB, {per_game:.0f} bytes per game "
          f"(bound {PER_GAME_BOUND}) {'OK' if per_game <= PER_GAME_BOUND else 'OVER BOUND'}; created in {elapsed:.1f} s")
    print(f"so the default cap of 10,000 games stays under {10_000 * PER_GAME_BOUND / 2**20:.0f} MiB above the baseline")


def wrk_many(urls, script, threads=1, connections=16):
    """Runs one wrk per URL at once; returns summed req/s, the worst percentiles, non-2xx."""
    processes = [subprocess.Popen(["wrk", f"-t{threads}", f"-c{connections}", "-d8s", "--latency", "-s", script, url],
                                  stdout=subprocess.PIPE, text=True) for url in urls]
    total, worst, errors = 0.0, {}, 0
    for process in processes:
        out = process.communicate(timeout=60)[0]
        total += float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
        for p, v in re.findall(r"^\s+(50|90|99)%\s+(\S+)", out, re.M):
            worst[p] = max(worst.get(p, v), v, key=duration_ms)
        match = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
        errors += int(match.group(1)) if match else 0
    return total, worst, errors


def duration_ms(text):
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def backends(binary):
    print("\n== State backends: a game's life (create + 5 moves) under wrk, 32 connections, 8 s ==")
    script = os.path.join(ROOT, "scripts/wrk/game-life.lua")
    pg_dir = os.path.join(ROOT, "build", "bench-postgres")
    pg_port = free_port()
    pg_script = os.path.join(ROOT, "scripts", "test-postgres.sh")
    url = subprocess.run([pg_script, "start", pg_dir, str(pg_port)], check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    sqlite_path = tempfile.mktemp(suffix=".sqlite")
    cases = [
        ("memory", "state: {backend: memory}\n", {}, 1),
        ("sqlite", f"state: {{backend: sqlite, path: {sqlite_path}}}\n", {}, 1),
        ("postgres", "state: {backend: postgres}\n", {"DATABASE_URL": url}, 1),
        ("postgres, 2 processes", "state: {backend: postgres}\n", {"DATABASE_URL": url}, 2),
    ]
    rows = []
    try:
        for name, state, env, count in cases:
            config = write_config("server: {host: 127.0.0.1, log_level: warning, games: {max: 1000000}}\n" + state)
            ports = [free_port() for _ in range(count)]
            servers = [start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/readyz", env=dict(env, PORT=str(port)))
                       for port in ports]
            try:
                rps, latency, errors = wrk_many([f"http://127.0.0.1:{port}" for port in ports], script,
                                                threads=2 // count, connections=32 // count)
            finally:
                for server in servers:
                    stop(server)
            rows.append((name, rps, rps * 5 / 6, latency, errors))
    finally:
        subprocess.run([pg_script, "stop", pg_dir, str(pg_port)], timeout=60)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(sqlite_path + suffix):
                os.remove(sqlite_path + suffix)
    print(f"{'backend':24} {'req/s':>9} {'moves/s':>9} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
    for name, rps, moves, lat, errors in rows:
        print(f"{name:24} {rps:9.0f} {moves:9.0f} {lat.get('50', '-'):>9} {lat.get('90', '-'):>9} {lat.get('99', '-'):>9} {errors:8d}")
    print("moves/s counts the 5 moves of each 6 requests; with 2 processes, wrk and both servers share the 2 cores,"
          " and the percentiles are the worse of the two wrk runs.")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/tictactoe"))
    only = sys.argv[2:]
    if only == ["backends"]:
        backends(binary)
        return
    solver_times(binary)
    computer_times(binary)
    memory(binary)
    throughput(binary)
    backends(binary)


if __name__ == "__main__":
    main()
