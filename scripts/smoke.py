#!/usr/bin/env python3
"""Plays one short game through a served tictactoe, as a person would, and says what it got.

Usage: scripts/smoke.py URL [--wait SECONDS]
  URL      the address to play at (e.g. what `make url` prints)
  --wait   how long the service may take to answer /healthz at first (a load balancer registers
           new tasks within a minute or two); default 120

Checks /healthz and /readyz, creates a two-player game (or the variant's default game when it
offers none), plays it to its end, and reads it back. Exit 0 with one line of what was played;
exit 1 with the step that failed and the answer it got (status and body), so that `make deploy`
fails with the reason. Only the standard library; every request times out after 10 s."""
import json
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
    args = sys.argv[1:]
    wait = 120
    if "--wait" in args:
        at = args.index("--wait")
        try:
            wait = int(args[at + 1])
        except (IndexError, ValueError):
            print("usage: smoke.py URL [--wait SECONDS]", file=sys.stderr)
            return 2
        del args[at:at + 2]
    if len(args) != 1 or not args[0].startswith(("http://", "https://")):
        print("usage: smoke.py URL [--wait SECONDS]   (URL: http://… or https://…, e.g. what make url prints)", file=sys.stderr)
        return 2
    base = args[0].rstrip("/")
    started = time.monotonic()
    try:
        played = play(base, wait)
    except Failed as failure:
        print(f"smoke: FAILED at {base}: {failure}", file=sys.stderr)
        return 1
    print(f"smoke: played {played} at {base} in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
