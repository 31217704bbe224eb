#!/usr/bin/env python3
"""Prints tictactoe's figures beside the anchors', from one run on this machine.

Usage: scripts/bench/bench.py BIN   (make bench builds BIN and installs wrk and Flask first)
       scripts/bench/bench.py BIN compare BASELINE_BIN   (make bench-compare BASELINE=…: before and after)

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
import contextlib
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
import threading
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
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


class LogCollector:
    """Reads a server's standard output from a pipe on a thread, as a log collector would:
    counts lines and access-log lines, and checks that each is one whole JSON object."""

    def __init__(self, stream):
        self.stream, self.lines, self.requests, self.malformed = stream, 0, 0, 0
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        # Counting with bytes.count keeps the collector's own CPU small: it shares the 2 cores.
        partial = b""
        while True:
            chunk = self.stream.read1(1 << 20)
            if not chunk:
                break
            data = partial + chunk
            last = data.rfind(b"\n")
            if last < 0:
                partial = data
                continue
            complete, partial = data[: last + 1], data[last + 1:]
            lines = complete.count(b"\n")
            # Log lines start with their time; metric lines (EMF) with their "_aws" directive.
            starts = (complete.startswith(b'{"time":"') + complete.count(b'\n{"time":"')
                      + complete.startswith(b'{"_aws":') + complete.count(b'\n{"_aws":'))
            ends = complete.count(b"}\n")
            bad = (lines - starts) + (lines - ends)
            try:
                json.loads(complete[: complete.find(b"\n")])  # one line per chunk, parsed in full
            except ValueError:
                bad += 1
            with self.lock:
                self.lines += lines
                self.requests += complete.count(b'"message":"Request"')
                self.malformed += bad

    def snapshot(self):
        with self.lock:
            return {"lines": self.lines, "requests": self.requests}

    def join(self):
        self.thread.join(timeout=30)


@contextlib.contextmanager
def serving(binary, yaml_text):
    """tictactoe serving `yaml_text` on a free port, its standard output read by a LogCollector;
    yields the base URL and the collector, and stops the server after."""
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--config", write_config(yaml_text)], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, env=dict(os.environ, PORT=str(port)))
    collector = LogCollector(process.stdout)
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        yield f"http://127.0.0.1:{port}", collector
    finally:
        stop(process)
        collector.join()


def run_anchors():
    """The same run's ceilings and floor: bare Hummingbird (GET, echo POST) and the seed's Flask app."""
    results = {}
    hello = build_hello()
    if hello:
        port = free_port()
        bare = start([hello], f"http://127.0.0.1:{port}/", env={"PORT": str(port)})
        try:
            results[("bare hummingbird", "GET /")] = wrk(f"http://127.0.0.1:{port}/")
            results[("bare hummingbird", "game life")] = wrk(f"http://127.0.0.1:{port}/move", os.path.join(ROOT, "scripts/bench/wrk/hello-post.lua"))
        finally:
            stop(bare)
    seed_run = os.path.join(SHARED, "anchors", "flask-seed", "run.sh")
    if os.path.exists(seed_run):
        port = free_port()
        seed = start(["bash", seed_run, str(port)], f"http://127.0.0.1:{port}/")
        try:
            results[("flask seed", "GET /")] = wrk(f"http://127.0.0.1:{port}/")
            results[("flask seed", "game life")] = wrk(f"http://127.0.0.1:{port}", os.path.join(ROOT, "scripts/bench/wrk/seed-life.lua"))
        finally:
            stop(seed)
    return results


def ceiling_ratio(anchors, rps, workload="game life"):
    bare = anchors.get(("bare hummingbird", workload))
    return f"{rps / bare[0]:.2f}x bare hummingbird" if bare else "no ceiling measured"


def throughput(binary, anchors):
    print("\n== Throughput: wrk -t2 -c32 -d8s, client and server share the 2 cores ==")
    results = dict(anchors)
    game_life = os.path.join(ROOT, "scripts/bench/wrk/game-life.lua")
    # The default log level (info): an access-log line per request, read from a pipe as a
    # collector (the awslogs driver, docker logs) reads standard output, and checked line by line.
    with serving(binary, "server: {host: 127.0.0.1}\n") as (url, collector):
        results[("tictactoe", "GET /")] = wrk(url + "/")
        before = collector.snapshot()
        results[("tictactoe", "game life")] = wrk(url, game_life)
        time.sleep(0.5)
        after = collector.snapshot()
    logged = after["requests"] - before["requests"]
    # Metrics off (access log still on), for the cost of the EMF metrics; access logs off, for comparison.
    with serving(binary, "server: {host: 127.0.0.1, metrics: {format: off}}\n") as (url, _):
        results[("tictactoe, metrics off", "game life")] = wrk(url, game_life)
    with serving(binary, "server: {host: 127.0.0.1, log_level: warning}\n") as (url, _):
        results[("tictactoe, logs off", "game life")] = wrk(url, game_life)

    print(f"{'server':22} {'workload':10} {'req/s':>10} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}")
    for (server, workload), (rps, lat, errors) in results.items():
        print(f"{server:22} {workload:10} {rps:10.0f} {lat.get('50', '-'):>9} {lat.get('90', '-'):>9} {lat.get('99', '-'):>9} {errors:8d}")
    print("(bare hummingbird's 'game life' is its echo POST: the ceiling for a request with a JSON body)")
    targets = {"GET /": 0.9, "game life": 0.6}
    for workload in ("GET /", "game life"):
        ours = results[("tictactoe", workload)][0]
        if ("bare hummingbird", workload) in results:
            ratio = ours / results[("bare hummingbird", workload)][0]
            print(f"ratio tictactoe / bare hummingbird, {workload}: {ratio:.2f}x (target >= {targets[workload]}x, access logs on) "
                  f"{'OK' if ratio >= targets[workload] else 'BELOW TARGET'}")
        if ("flask seed", workload) in results:
            ratio = ours / results[("flask seed", workload)][0]
            print(f"ratio tictactoe / flask seed, {workload}: {ratio:.1f}x (target >= 20x) {'OK' if ratio >= 20 else 'BELOW TARGET'}")
    if ("bare hummingbird", "game life") in results:
        off = results[("tictactoe, logs off", "game life")][0] / results[("bare hummingbird", "game life")][0]
        print(f"ratio tictactoe with access logs off / bare hummingbird, game life: {off:.2f}x")
    with_metrics, without = results[("tictactoe", "game life")][0], results[("tictactoe, metrics off", "game life")][0]
    change = (with_metrics / without - 1) * 100
    print(f"metrics (EMF, default on): game life {with_metrics:.0f} req/s with, {without:.0f} without: {change:+.1f} % "
          f"(target: no more than 5 % lower) {'OK' if change >= -5 else 'ABOVE TARGET COST'}")
    served = results[("tictactoe", "game life")]
    print(f"access log: {logged} request lines during the game-life run (wrk counted about {served[0] * 8:.0f} answers); "
          f"{collector.lines} lines in all, {collector.malformed} not a whole JSON object, one line of each read parsed as JSON")


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


def memory_cgroup(limit_mib):
    """A cgroup v1 or v2 memory group below this process's own, limited to `limit_mib`; its path,
    or None when this machine does not let us make one (then the figures are skipped)."""
    for line in open("/proc/self/cgroup"):
        number, controllers, path = line.strip().split(":", 2)
        if number == "0" and controllers == "" and os.path.exists("/sys/fs/cgroup/cgroup.controllers"):
            base, limit_file = "/sys/fs/cgroup" + path, "memory.max"
        elif "memory" in controllers.split(","):
            base, limit_file = "/sys/fs/cgroup/memory" + path, "memory.limit_in_bytes"
        else:
            continue
        group = os.path.join(base, f"tictactoe-bench-{os.getpid()}")
        try:
            os.makedirs(group, exist_ok=True)
            with open(os.path.join(group, limit_file), "w") as f:
                f.write(str(limit_mib * 2**20))
            return group
        except OSError:
            return None
    return None


def source_address(i):
    """Distinct loopback addresses, one client per 8 streams (the per-client cap)."""
    return f"127.{1 + i // 62500}.{(i // 250) % 250}.{1 + i % 250}"


def limits(binary):
    variant = os.path.join(ROOT, "variants", "classic.yaml")
    task_mib = int(subprocess.run([binary, "variant", "get", variant, "deploy.memory"], capture_output=True, text=True, check=True).stdout)
    print(f"\n== Every cap full: the classic variant's server in a {task_mib} MiB memory cgroup, as on Fargate ==")
    group = memory_cgroup(task_mib)
    if group is None:
        print("skipped: cannot make a memory cgroup here (needs root and cgroup v1 or v2 mounted writable)")
        return
    port = free_port()
    log_path = tempfile.mktemp(suffix=".log")
    log = open(log_path, "w")
    # The server joins the cgroup before it starts, so it sizes its caps from the cgroup's limit.
    process = subprocess.Popen(["sh", "-c", f'echo $$ > {group}/cgroup.procs && exec "$0" serve --config "$1"', binary, variant],
                               stdout=log, stderr=subprocess.STDOUT,
                               env=dict(os.environ, PORT=str(port), HOST="127.0.0.1"))
    sockets = []
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz", process)
        starting = None
        deadline = time.monotonic() + 5
        while starting is None and time.monotonic() < deadline:
            starting = next((json.loads(l) for l in open(log_path) if '"starting"' in l), None)
            time.sleep(0.05)
        max_connections, max_streams = int(starting["max_connections"]), int(starting["max_streams"])
        per_client = int(starting["streams_per_client"])
        print(f"caps sized by the server from {starting['memory_limit']}: {max_connections} connections, "
              f"{max_streams} streams, {per_client} streams per client address")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("POST", "/api/games", body="{}", headers={"Content-Type": "application/json"})
        game = json.loads(connection.getresponse().read())["id"]
        connection.close()
        time.sleep(0.5)
        baseline = rss_kib(process.pid)

        def open_socket(i, request):
            sock = socket.socket()
            sock.bind((source_address(i), 0))
            sock.settimeout(10)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request)
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                head += chunk
            sockets.append(sock)
            return head

        stream_request = f"GET /api/games/{game}/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
        for i in range(max_streams):
            head = open_socket(i // per_client, stream_request)
            assert head.startswith(b"HTTP/1.1 200"), (i, head[:200])
        time.sleep(1)
        with_streams = rss_kib(process.pid)
        refused = open_socket(max_streams, stream_request)
        assert refused.startswith(b"HTTP/1.1 503"), refused[:200]
        sockets.pop().close()
        idle = max_connections - max_streams
        ping = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for i in range(idle):
            head = open_socket(i, ping)
            assert head.startswith(b"HTTP/1.1 200"), (i, head[:200])
        time.sleep(1)
        full = rss_kib(process.pid)
        # At the cap, the connection idle longest gives way to a new one.
        over = open_socket(0, b"GET /api/config HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert over.startswith(b"HTTP/1.1 200"), over[:300]
        sockets.pop().close()
        per_stream = (with_streams - baseline) * 1024 / max_streams
        per_idle = (full - with_streams) * 1024 / max(idle, 1)
        alive = process.poll() is None
        print(f"baseline {baseline / 1024:.1f} MiB; {max_streams} streams: {with_streams / 1024:.1f} MiB "
              f"({per_stream:,.0f} bytes per stream, budgeted {48 * 1024:,}); "
              f"+ {idle} idle keep-alive connections: {full / 1024:.1f} MiB ({per_idle:,.0f} bytes each, budgeted {32 * 1024:,})")
        print(f"with every cap full: {full / 1024:.1f} MiB resident of the task's {task_mib} MiB "
              f"({full / 1024 / task_mib:.0%}); one more stream got 503 too_many_streams, one more connection "
              f"was served after the connection idle longest was closed; server {'alive' if alive else 'KILLED'} "
              f"{'OK' if alive and full / 1024 < task_mib else 'OVER THE TASK MEMORY'}")
    finally:
        for sock in sockets:
            sock.close()
        stop(process)
        log.close()
        os.remove(log_path)
        try:
            os.rmdir(group)
        except OSError:
            pass


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


@contextlib.contextmanager
def servers_on(binary, yaml_text, env, count):
    """`count` tictactoe processes serving `yaml_text` with `env`, each on a port of its own:
    yields their base URLs, and stops them after."""
    config = write_config(yaml_text)
    ports = [free_port() for _ in range(count)]
    servers = [start([binary, "serve", "--config", config], f"http://127.0.0.1:{port}/readyz", env=dict(env, PORT=str(port)))
               for port in ports]
    try:
        yield [f"http://127.0.0.1:{port}" for port in ports]
    finally:
        for server in servers:
            stop(server)


def backends(binary, anchors):
    print("\n== State backends: a game's life (create + 5 moves) under wrk, 32 connections, 8 s ==")
    script = os.path.join(ROOT, "scripts/bench/wrk/game-life.lua")
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
            yaml_text = "server: {host: 127.0.0.1, log_level: warning, games: {max: 1000000}}\n" + state
            with servers_on(binary, yaml_text, env, count) as bases:
                rps, latency, errors = wrk_many(bases, script, threads=2 // count, connections=32 // count)
            rows.append((name, rps, rps * 5 / 6, latency, errors))
    finally:
        subprocess.run([pg_script, "stop", pg_dir, str(pg_port)], timeout=60)
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(sqlite_path + suffix):
                os.remove(sqlite_path + suffix)
    print(f"{'backend':24} {'req/s':>9} {'moves/s':>9} {'p50':>9} {'p90':>9} {'p99':>9} {'non-2xx':>8}  ceiling ratio")
    for name, rps, moves, lat, errors in rows:
        print(f"{name:24} {rps:9.0f} {moves:9.0f} {lat.get('50', '-'):>9} {lat.get('90', '-'):>9} {lat.get('99', '-'):>9} {errors:8d}"
              f"  {ceiling_ratio(anchors, rps)}")
    # Goals, against the figures measured on this machine before the store rework.
    for name, before, factor in (("sqlite", 2821, 2), ("postgres", 1294, 3)):
        rps = next(r for n, r, *_ in rows if n == name)
        print(f"{name}: {rps:.0f} req/s = {rps / before:.1f}x the {before} req/s before prepared statements and fewer round trips "
              f"(target >= {factor}x) {'OK' if rps >= before * factor else 'BELOW TARGET'}")
    print("moves/s counts the 5 moves of each 6 requests; with 2 processes, wrk and both servers share the 2 cores,"
          " and the percentiles are the worse of the two wrk runs.")


def match_pair_ms(first, second):
    """One quick match: a player queues on `first`, then another on `second`; milliseconds from
    the first POST until both have their game (the waiting one through its long poll)."""
    def call(base, method, path, ticket=None):
        request = urllib.request.Request(base + path, data=b"{}" if method == "POST" else None, method=method,
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": "Bearer " + ticket} if ticket else {})})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())
    start = time.perf_counter()
    waiting = call(first, "POST", "/api/match")
    assert waiting["status"] == "waiting", waiting
    seen = {}
    poller = threading.Thread(target=lambda: seen.update(call(first, "GET", "/api/match?wait=25", waiting["ticket"])))
    poller.start()
    paired = call(second, "POST", "/api/match")
    poller.join(timeout=30)
    both = time.perf_counter() - start
    assert paired["status"] == "matched" and seen.get("status") == "matched", (paired, seen)
    assert paired["game"]["id"] == seen["game"]["id"]
    return both * 1000


def quick_match(binary, pairs=40):
    print(f"\n== Quick match: from the first player queueing to both seeing their game, {pairs} pairs one after another ==")
    pg_dir = os.path.join(ROOT, "build", "bench-postgres")
    pg_port = free_port()
    pg_script = os.path.join(ROOT, "scripts", "test-postgres.sh")
    url = subprocess.run([pg_script, "start", pg_dir, str(pg_port)], check=True, capture_output=True, text=True, timeout=120).stdout.strip()
    cases = [("memory, 1 process", "state: {backend: memory}\n", {}, 1),
             ("postgres, 2 processes", "state: {backend: postgres}\n", {"DATABASE_URL": url}, 2)]
    print(f"{'backend':24} {'p50 ms':>8} {'p90 ms':>8} {'max ms':>8}")
    try:
        for name, state, env, count in cases:
            with servers_on(binary, "server: {host: 127.0.0.1, log_level: warning}\n" + state, env, count) as bases:
                times = sorted(match_pair_ms(bases[0], bases[-1]) for _ in range(pairs))
            print(f"{name:24} {times[len(times) // 2]:8.1f} {times[len(times) * 9 // 10]:8.1f} {times[-1]:8.1f}")
    finally:
        subprocess.run([pg_script, "stop", pg_dir, str(pg_port)], timeout=60)
    print("the waiting player's request asks its queue every 50 ms (in the process) or 250 ms (PostgreSQL),"
          " so the second figure includes up to one poll interval")


def compare(binary, baseline, rounds=5):
    """GET / and a game's life for `baseline` then `binary`, alternating, `rounds` times each (the
    machine's noise falls on both alike); prints each round and the medians."""
    print(f"\n== Before and after: wrk -t2 -c32 -d8s, {rounds} alternating rounds ==")
    print(f"before: {baseline}\nafter:  {binary}")
    game_life = os.path.join(ROOT, "scripts/bench/wrk/game-life.lua")
    figures = {(which, workload): [] for which in ("before", "after") for workload in ("GET /", "game life")}
    for round_number in range(1, rounds + 1):
        for which, path in (("before", baseline), ("after", binary)):
            with serving(path, "server: {host: 127.0.0.1}\n") as (url, _):
                figures[(which, "GET /")].append(wrk(url + "/")[0])
                figures[(which, "game life")].append(wrk(url, game_life)[0])
        print(f"round {round_number}: " + "  ".join(f"{which} {workload} {figures[(which, workload)][-1]:.0f}/s"
                                                  for which in ("before", "after") for workload in ("GET /", "game life")))
    for workload in ("GET /", "game life"):
        before, after = (statistics.median(figures[(which, workload)]) for which in ("before", "after"))
        spread = max(max(v) / min(v) - 1 for v in (figures[("before", workload)], figures[("after", workload)])) * 100
        print(f"{workload:10} median before {before:8.0f}/s  after {after:8.0f}/s  change {(after / before - 1) * 100:+5.1f} %"
              f"  (largest spread within one side: {spread:.0f} %)")


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, ".build/release/tictactoe"))
    only = sys.argv[2:]
    if len(only) == 2 and only[0] == "compare":
        compare(binary, os.path.abspath(only[1]))
        return
    if only == ["limits"]:
        limits(binary)
        return
    if only == ["match"]:
        quick_match(binary)
        return
    anchors = run_anchors()
    if only == ["throughput"]:
        throughput(binary, anchors)
        backends(binary, anchors)
        return
    with Recorded(FIGURES_FILE):
        solver_times(binary)
        computer_times(binary)
        memory(binary)
        limits(binary)
        throughput(binary, anchors)
        backends(binary, anchors)
        quick_match(binary)


# A full run's figures, as printed, with the date and commit they are of: the file docs/figures.md
# links, written only when every part of the run finished.
FIGURES_FILE = os.path.join(ROOT, "docs", "figures", "bench.txt")


class Recorded:
    """Copies what is printed meanwhile to `path`, under a header naming the run."""

    def __init__(self, path):
        self.path, self.lines = path, []

    def write(self, text):
        self.lines.append(text)
        return self.stdout.write(text)

    def flush(self):
        self.stdout.flush()

    def __enter__(self):
        self.stdout, sys.stdout = sys.stdout, self
        return self

    def __exit__(self, kind, value, trace):
        sys.stdout = self.stdout
        if kind is not None:
            return False
        commit = subprocess.run(["git", "describe", "--tags", "--always", "--dirty"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        header = (f"# make bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {commit or 'unknown commit'}, "
                  f"{os.cpu_count()} cores; written by scripts/bench/bench.py at the end of a full run\n\n")
        os.makedirs(os.path.dirname(self.path), exist_ok=True)
        with open(self.path, "w") as f:
            f.write(header + "".join(self.lines))
        print(f"figures written to {os.path.relpath(self.path, ROOT)}")
        return False


if __name__ == "__main__":
    main()
