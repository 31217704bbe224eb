"""Helpers the Python test suites (Tests/e2e, Tests/images, Tests/fargate) share: ports and
bounded waits on loopback, where every test's traffic stays."""
import socket
import time
import urllib.request


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answered(url, process, what, seconds=30):
    """Returns once `url` answers; kills `process` and raises if it exits or `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"{what} did not start within {seconds} s")
            time.sleep(0.1)
