#!/usr/bin/env python3
"""Plays one short game through a served tictactoe, as a person would, and says what it got.

Usage: scripts/smoke.py URL [--wait SECONDS] [--resolve HOST:PORT:ADDRESS] [--cacert FILE]
  URL        the address to play at (e.g. what `make url` prints)
  --wait     how long the service may take to answer /healthz at first (a load balancer registers
             new tasks within a minute or two); default 120
  --resolve  connect to ADDRESS for HOST:PORT, keeping HOST for TLS and the Host header (as curl's
             --resolve): a domain played before DNS names it, such as `make run-local`'s balancer
  --cacert   trust the certificate authorities in FILE instead of the system's

Checks /healthz and /readyz, creates a two-player game (or the variant's default game when it
offers none), plays it to its end, and reads it back. Exit 0 with one line of what was played;
exit 1 with the step that failed and the answer it got (status and body), so that `make deploy`
fails with the reason. Only the standard library; every request times out after 10 s."""
import argparse
import json
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request


class Failed(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own: following it would turn a POST into a GET, or play
    somewhere other than the address given."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def resolve(pinned):
    """Every connection to a pinned (host, port) goes to its address instead."""
    lookup = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return lookup(pinned.get((host, int(port or 0)), host), port, *args, **kwargs)

    socket.getaddrinfo = getaddrinfo


def call(base, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"} if data is not None else {})
    try:
        with OPENER.open(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        if 300 <= error.code < 400:
            return error.code, f"redirected to {error.headers.get('Location', '(no Location)')}; the smoke game follows no redirect: play at the address the server names"
        return error.code, error.read().decode(errors="replace")
    except (urllib.error.URLError, OSError) as error:
        return None, str(getattr(error, "reason", error))


def expect(step, answer, status):
    got, body = answer
    if got != status:
        raise Failed(f"{step}: expected HTTP {status}, got {got if got is not None else 'no answer'}: {body[:500]}")
    try:
        return json.loads(body)
    except ValueError:
        raise Failed(f"{step}: expected a JSON body, got: {body[:500]}")


def moves_to_finish(game):
    """Two players: X fills the first row (or column) while O fills the next; else any free cell."""
    rows, cols, k = game["rows"], game["cols"], game["winLength"]
    if cols >= k and rows >= 2:
        return [c for pair in zip(range(k), range(cols, cols + k)) for c in pair]
    return [r * cols + c for c in range(2) for r in range(k)]


def play(base, wait):
    deadline = time.monotonic() + wait
    while True:
        answer = call(base, "GET", "/healthz")
        if answer[0] == 200 or (answer[0] or 0) // 100 == 3 or time.monotonic() > deadline:
            break
        time.sleep(2)
    expect("GET /healthz", answer, 200)
    expect("GET /readyz", call(base, "GET", "/readyz"), 200)
    answer = call(base, "POST", "/api/games", {"opponent": "human"})
    if answer[0] == 400:
        answer = call(base, "POST", "/api/games", {})
    game = expect("POST /api/games", answer, 201)
    planned = moves_to_finish(game)
    for _ in range(game["rows"] * game["cols"]):
        if game["status"] != "playing":
            break
        free = [i for i, cell in enumerate(game["board"]) if cell == ""]
        cell = next((c for c in planned if c in free), free[0])
        game = expect(f"POST /api/games/{game['id']}/moves (cell {cell})",
                      call(base, "POST", f"/api/games/{game['id']}/moves", {"index": cell, "version": game["version"]}), 200)
    if game["status"] == "playing":
        raise Failed(f"the game {game['id']} did not end after {len(game['moves'])} moves")
    stored = expect(f"GET /api/games/{game['id']}", call(base, "GET", f"/api/games/{game['id']}"), 200)
    if stored["moves"] != game["moves"]:
        raise Failed(f"GET /api/games/{game['id']}: the stored moves {stored['moves']} are not the ones played {game['moves']}")
    result = f"{game['winner']} won" if game["status"] == "won" else "a draw"
    return f"game {game['id']}: {game['rows']}×{game['cols']}, {len(game['moves'])} moves, {result}"


def main():
    global OPENER
    parser = argparse.ArgumentParser(description="Play one short game through a served tictactoe.")
    parser.add_argument("url")
    parser.add_argument("--wait", type=int, default=120)
    parser.add_argument("--resolve", action="append", default=[], metavar="HOST:PORT:ADDRESS")
    parser.add_argument("--cacert")
    args = parser.parse_args()
    if not args.url.startswith(("http://", "https://")):
        parser.error("URL must be http://… or https://…, e.g. what make url prints")
    pinned = {}
    for entry in args.resolve:
        host, _, rest = entry.partition(":")
        port, _, address = rest.partition(":")
        if not (host and port.isdigit() and address):
            parser.error(f"--resolve takes HOST:PORT:ADDRESS, not {entry}")
        pinned[(host, int(port))] = address
    resolve(pinned)
    if args.cacert:
        try:
            context = ssl.create_default_context(cafile=args.cacert)
        except (OSError, ssl.SSLError) as error:
            parser.error(f"--cacert {args.cacert}: {error}")
        OPENER = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=context))
    base = args.url.rstrip("/")
    started = time.monotonic()
    try:
        played = play(base, args.wait)
    except Failed as failure:
        print(f"smoke: FAILED at {base}: {failure}", file=sys.stderr)
        return 1
    print(f"smoke: played {played} at {base} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
