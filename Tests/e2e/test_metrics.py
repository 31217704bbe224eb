"""The server's metrics, as CloudWatch would read them: EMF lines on standard output."""
import http.client
import json
import re
import time
from collections import Counter


def emf(output):
    """(metric, dimensions) → summed count, or the list of samples / last value."""
    counts, samples = Counter(), {}
    for line in output.splitlines():
        if not line.startswith('{"_aws"'):
            continue
        record = json.loads(line)
        directive = record["_aws"]["CloudWatchMetrics"][0]
        assert directive["Namespace"] == "tictactoe"
        assert isinstance(record["_aws"]["Timestamp"], int)
        metric = directive["Metrics"][0]
        dims = tuple((name, record[name]) for name in directive["Dimensions"][0])
        value = record[metric["Name"]]
        key = (metric["Name"], dims)
        if metric["Unit"] == "Count":
            counts[key] += value
        else:
            samples.setdefault(key, []).extend(value if isinstance(value, list) else [value])
    return counts, samples


def test_a_scripted_session_is_counted_exactly(start_server):
    server = start_server("server: {limits: {games_per_minute: 3}, metrics: {interval_s: 1}}\n"
                          "opponent: {plays: O, level: easy}\n")
    post = lambda path, body: server.request("POST", path, body)  # noqa: E731
    status, first, _ = post("/api/games", {})
    assert status == 201
    for cell in [0, 3, 1, 4, 2]:
        assert post(f"/api/games/{first['id']}/moves", {"index": cell})[0] == 200
    status, versus, _ = post("/api/games", {"opponent": "computer"})
    assert status == 201
    assert post(f"/api/games/{versus['id']}/moves", {"index": 4})[0] == 200
    assert post("/api/games", {})[0] == 201
    assert post("/api/games", {})[0] == 429
    stream = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    stream.request("GET", f"/api/games/{versus['id']}/events")
    assert stream.getresponse().status == 200
    time.sleep(1.5)  # a flush while the stream is open
    stream.close()
    assert server.stop() == 0  # the last flush happens at shutdown
    output = open(server.log_path).read()
    counts, samples = emf(output)

    assert counts[("tictactoe.games.created", (("opponent", "human"),))] == 2
    assert counts[("tictactoe.games.created", (("opponent", "computer"),))] == 1
    assert counts[("tictactoe.games.finished", (("result", "won"),))] == 1
    assert counts[("tictactoe.moves", (("by", "player"),))] == 6
    assert counts[("tictactoe.moves", (("by", "computer"),))] == 1
    assert counts[("tictactoe.refusals", (("reason", "rate_limited"),))] == 1
    route = lambda path, method, status: (("http.route", path), ("http.request.method", method), ("http.response.status_code", status))  # noqa: E731
    assert counts[("hb.requests", route("/api/games", "POST", "201"))] == 3
    assert counts[("hb.requests", route("/api/games", "POST", "429"))] == 1
    assert counts[("hb.requests", route("/api/games/{id}/moves", "POST", "200"))] == 6
    assert len(samples[("http.server.request.duration", route("/api/games/{id}/moves", "POST", "200"))]) == 6
    assert len(samples[("tictactoe.store.duration", (("operation", "insert"),))]) == 3
    assert len(samples[("tictactoe.computer.think", ())]) == 1
    assert 1 in samples[("tictactoe.streams.open", ())]
    assert not any(key[0] == "tictactoe.store.errors" for key in counts)
    # Ordinary log lines keep their shape around the metrics.
    times = [json.loads(line)["time"] for line in output.splitlines() if line.startswith('{"time"')]
    assert times and all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", t) for t in times), times[:3]


def test_metrics_can_be_switched_off(start_server):
    server = start_server("server: {metrics: {format: off, interval_s: 1}}\n")
    assert server.request("POST", "/api/games", {})[0] == 201
    time.sleep(1.3)
    assert server.stop() == 0
    assert "\"_aws\"" not in open(server.log_path).read()


def dashboard_metrics(variant):
    """(namespace, metric, dimension names, dimension values or None) of every game widget of the
    dashboard the variant's stack renders: the server's metrics it reads."""
    import os
    import subprocess
    from conftest import BIN
    root = os.path.join(os.path.dirname(__file__), "../..")
    template = json.loads(subprocess.run(
        [BIN, "stack", "--variant", os.path.join(root, f"variants/{variant}.yaml"), "--arch", "arm64", "--repository",
         "123456789012.dkr.ecr.us-east-1.amazonaws.com/tictactoe", "--region", "us-east-1", "--account", "123456789012"],
        capture_output=True, text=True, check=True, timeout=60).stdout)
    body, _ = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    read = []
    for widget in json.loads(body)["widgets"]:
        for metric in widget["properties"]["metrics"]:
            if isinstance(metric[0], dict):
                search = re.fullmatch(r"SEARCH\('\{([^}]*)\} MetricName=\"([^\"]+)\"(.*)', '\w+', 60\)", metric[0]["expression"])
                namespace, *dimensions = search.group(1).split(",")
                read.append((namespace, search.group(2), tuple(dimensions), None))
            else:
                items = [item for item in metric if isinstance(item, str)]
                namespace, name, pairs = items[0], items[1], items[2:]
                read.append((namespace, name, tuple(pairs[0::2]), tuple(pairs[1::2])))
    return [entry for entry in read if entry[0] == "tictactoe"]


def test_the_dashboard_reads_the_metrics_the_server_writes(start_server):
    """Each game widget of production's dashboard names a metric, with its dimensions (and, where it
    names them, their values), that a server playing a session wrote."""
    server = start_server("server: {limits: {games_per_minute: 2}, metrics: {interval_s: 1}}\nopponent: {plays: O, level: easy}\n")
    post = lambda path, body: server.request("POST", path, body)  # noqa: E731
    status, game, _ = post("/api/games", {"opponent": "computer"})
    assert status == 201
    assert post(f"/api/games/{game['id']}/moves", {"index": 4})[0] == 200
    assert post("/api/games", {})[0] == 201
    assert post("/api/games", {})[0] == 429
    assert server.stop() == 0
    written = set()
    for line in open(server.log_path).read().splitlines():
        if line.startswith('{"_aws"'):
            record = json.loads(line)
            directive = record["_aws"]["CloudWatchMetrics"][0]
            names = tuple(directive["Dimensions"][0])
            written.add((directive["Namespace"], directive["Metrics"][0]["Name"], names, tuple(record[n] for n in names)))
    read = dashboard_metrics("production")
    assert {name for _, name, _, _ in read} == {"tictactoe.games.created", "tictactoe.moves", "http.server.request.duration", "tictactoe.refusals"}
    for namespace, name, dimensions, values in read:
        matching = [w for w in written if w[:3] == (namespace, name, dimensions) and (values is None or w[3] == values)]
        assert matching, f"the dashboard reads {namespace} {name} {dimensions} {values or ''}, which the server did not write: {sorted(written)}"
