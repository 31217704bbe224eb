"""Players for the rehearsal tests: each plays online games through the balancer, one after the
other (a game every two seconds or so, faster than anyone plays, so without a stream each: a
server counts a closed stream until its next heartbeat), while it watches one long game (a move every few seconds)
whose live stream stays open throughout, so that it outlives the task it started on; and keeps what it needs to judge a disruption: every move a
task acknowledged, every answer a task gave with 5xx (a JSON body; the balancer's own are HTML),
the longest it waited for a move to be accepted, and the long game's stream."""
import threading
import time

from conftest import LiveStream

PLAN = [0, 3, 1, 4, 2]  # X takes the top row while O takes the middle one: X wins on move 5
DRAW = [0, 1, 2, 4, 3, 5, 7, 6, 8]  # nine moves, no line: a game that lasts


def error_code(answer):
    error = answer.get("error") if isinstance(answer, dict) else None
    return error.get("code") if isinstance(error, dict) else None


class Player(threading.Thread):
    def __init__(self, client, pause=0.3):
        super().__init__(daemon=True)
        self.client, self.pause = client, pause
        self.acknowledged = {}  # game id → the moves list a task answered with
        self.task_errors = []
        self.balancer_errors = 0
        self.longest_wait = 0.0
        self.games = 0
        self.long, self.long_version, self.long_moved, self.long_every = None, 0, 0.0, 10.0
        self.stopping = threading.Event()

    def call(self, method, path, body=None, token=None):
        """The answer once a task gives one that is not a refusal to retry; (status, body)."""
        started = time.monotonic()
        while not self.stopping.is_set():
            try:
                status, answer, _ = self.client.request(method, path, body, token)
            except OSError:
                status, answer = None, None
            if status is not None and status >= 500:
                if isinstance(answer, dict):
                    self.task_errors.append((method, path, status, answer))
                    if error_code(answer) != "unavailable":
                        return status, answer
                else:
                    self.balancer_errors += 1
            if status is not None and status < 500 and status != 429:
                self.longest_wait = max(self.longest_wait, time.monotonic() - started)
                return status, answer
            time.sleep(0.2)
        return None, None

    def open_game(self, watched=False):
        """(id, [X's token, O's token], live stream or None) of a new online game, both seats taken."""
        status, created = self.call("POST", "/api/games", {"opponent": "online"})
        if status != 201:
            return None
        stream = LiveStream(self.client, created["id"]) if watched else None
        status, joined = self.call("POST", f"/api/games/{created['id']}/seats", {})
        if status != 201:
            if stream:
                stream.close()
            return None
        return created["id"], [created["token"], joined["token"]], stream

    def move(self, game_id, tokens, plan, version):
        """The game's version after playing plan[version] (or after finding it already played)."""
        status, game = self.call("POST", f"/api/games/{game_id}/moves", {"index": plan[version], "version": version},
                                 tokens[version % 2])
        if status == 200:
            self.acknowledged[game_id] = game["moves"]
            return game["version"]
        if status == 409:
            # Applied, but its answer was lost on the way (a task stopped): read where it is.
            status, game = self.call("GET", f"/api/games/{game_id}")
            return game["version"] if status == 200 else version
        return version

    def play_one(self):
        opened = self.open_game()
        if not opened:
            return
        game_id, tokens, _ = opened
        version = 0
        while version < len(PLAN) and not self.stopping.is_set():
            version = self.move(game_id, tokens, PLAN, version)
            time.sleep(self.pause)
        self.games += 1
        self.watch()

    def watch(self):
        """The long game's next move, every `long_every` seconds."""
        if self.long is None or self.long_version >= len(DRAW) or time.monotonic() - self.long_moved < self.long_every:
            return
        game_id, tokens, _ = self.long
        self.long_version = self.move(game_id, tokens, DRAW, self.long_version)
        self.long_moved = time.monotonic()

    def run(self):
        self.long = self.open_game(watched=True)
        self.long_moved = time.monotonic()
        while not self.stopping.is_set():
            self.play_one()

    def halt(self):
        """No more moves; the long game's stream stays open."""
        self.stopping.set()
        self.join(timeout=30)

    def stop(self):
        self.halt()
        if self.long:
            self.long[2].close()

    def lost_moves(self):
        """Games whose stored moves do not begin with what a task acknowledged."""
        lost = []
        for game_id, moves in self.acknowledged.items():
            status, stored, _ = self.client.request("GET", f"/api/games/{game_id}")
            if status != 200 or stored["moves"][:len(moves)] != moves:
                lost.append((game_id, moves, stored))
        return lost
