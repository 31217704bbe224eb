"""Players for the rehearsal tests: each plays online games through the balancer, one after the
other, with a live stream per game, and keeps what it needs to judge a disruption: every move a
task acknowledged, every answer a task gave with 5xx (a JSON body; the balancer's own are HTML),
the longest it waited for a move to be accepted, and its streams."""
import threading
import time

from conftest import LiveStream

PLAN = [0, 3, 1, 4, 2]  # X takes the top row while O takes the middle one: X wins on move 5


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
        self.streams = []
        self.games = 0
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

    def play_one(self):
        status, created = self.call("POST", "/api/games", {"opponent": "online"})
        if status != 201:
            return
        game_id, tokens = created["id"], [created["token"]]
        stream = LiveStream(self.client, game_id)
        self.streams.append(stream)
        status, joined = self.call("POST", f"/api/games/{game_id}/seats", {})
        if status != 201:
            return
        tokens.append(joined["token"])
        version = 0
        while version < len(PLAN) and not self.stopping.is_set():
            status, game = self.call("POST", f"/api/games/{game_id}/moves", {"index": PLAN[version], "version": version},
                                     tokens[version % 2])
            if status == 200:
                self.acknowledged[game_id] = game["moves"]
                version = game["version"]
            elif status == 409:
                # Applied, but its answer was lost on the way (a task stopped): read where it is.
                status, game = self.call("GET", f"/api/games/{game_id}")
                version = game["version"]
            time.sleep(self.pause)
        self.games += 1

    def run(self):
        while not self.stopping.is_set():
            self.play_one()

    def stop(self):
        self.stopping.set()
        self.join(timeout=30)
        for stream in self.streams:
            stream.close()

    def lost_moves(self):
        """Games whose stored moves do not begin with what a task acknowledged."""
        lost = []
        for game_id, moves in self.acknowledged.items():
            status, stored, _ = self.client.request("GET", f"/api/games/{game_id}")
            if status != 200 or stored["moves"][:len(moves)] != moves:
                lost.append((game_id, moves, stored))
        return lost
