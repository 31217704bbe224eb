"""HAProxy standing in for the Application Load Balancer, configured from the stack's target
group and listeners: the health check's path, interval, timeout and thresholds; the idle timeout;
X-Forwarded-For/-Proto/-Port; an HTTPS listener with a local certificate and port 80 answering
301 as the ALB's redirect does. Targets are slots of a server template that the scheduler fills
and empties through HAProxy's runtime API, as ECS registers and deregisters a task's address."""
import csv
import io
import os
import signal
import socket
import subprocess
import time


class BalancerError(Exception):
    pass


class Balancer:
    BACKEND = "tasks"

    def __init__(self, state_dir, address, slots):
        self.dir = state_dir
        self.address = address
        self.slots = slots
        self.config = os.path.join(state_dir, "haproxy.cfg")
        self.socket = os.path.join(state_dir, "haproxy.sock")
        self.pidfile = os.path.join(state_dir, "haproxy.pid")

    def write_config(self, stack, certificate=None):
        check = stack.health_check
        idle = stack.idle_timeout
        lines = [
            "global",
            f"  stats socket {self.socket} mode 600 level admin",
            f"  pidfile {self.pidfile}",
            "defaults",
            "  mode http",
            "  timeout connect 5s",
            f"  timeout client {idle}s",
            f"  timeout server {idle}s",
            f"  timeout http-keep-alive {idle}s",
            f"  timeout tunnel {idle}s",
            f"  timeout check {check['timeout']}s",
            # The ALB adds the client's address to X-Forwarded-For, and says the scheme and port.
            "  option forwardfor",
            "  option http-keep-alive",
        ]
        for port, protocol, redirect in stack.listener_ports():
            lines.append(f"frontend listener-{port}")
            if protocol == "HTTPS":
                if not certificate:
                    raise BalancerError("the stack has an HTTPS listener but no local certificate was made for it")
                lines.append(f"  bind {self.address}:{port} ssl crt {certificate} ssl-min-ver TLSv1.2")
                lines.append("  http-request set-header X-Forwarded-Proto https")
            else:
                lines.append(f"  bind {self.address}:{port}")
                lines.append("  http-request set-header X-Forwarded-Proto http")
            lines.append(f"  http-request set-header X-Forwarded-Port {port}")
            if redirect:
                lines.append("  http-request redirect scheme https code 301")
            else:
                lines.append(f"  default_backend {self.BACKEND}")
        lines += [
            f"backend {self.BACKEND}",
            "  balance roundrobin",
            f"  option httpchk GET {check['path']}",
            f"  http-check expect status {check['status']}",
            f"  default-server check inter {check['interval']}s rise {check['rise']} fall {check['fall']} source {self.address}",
            f"  server-template target 1-{self.slots} 127.0.0.1:1 disabled",
        ]
        with open(self.config, "w") as f:
            f.write("\n".join(lines) + "\n")

    def running(self):
        try:
            pid = int(open(self.pidfile).read().split()[0])
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, IndexError):
            return None

    def start(self):
        checked = subprocess.run(["haproxy", "-c", "-q", "-f", self.config], capture_output=True, text=True)
        if checked.returncode != 0:
            raise BalancerError(f"haproxy refused {self.config}: {checked.stderr.strip() or checked.stdout.strip()}")
        started = subprocess.run(["haproxy", "-D", "-f", self.config, "-p", self.pidfile], capture_output=True, text=True)
        if started.returncode != 0:
            raise BalancerError(f"haproxy did not start: {started.stderr.strip()} (is something else listening on {self.address}?)")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                self.command("show info")
                return
            except BalancerError:
                time.sleep(0.1)
        raise BalancerError("haproxy started but its runtime socket did not answer within 10 s")

    def stop(self):
        pid = self.running()
        if pid:
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    os.kill(pid, 0)
                except OSError:
                    break
                time.sleep(0.1)
        for path in (self.pidfile, self.socket):
            if os.path.exists(path):
                os.remove(path)

    def command(self, text):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(5)
                connection.connect(self.socket)
                connection.sendall(text.encode() + b"\n")
                chunks = []
                while True:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
        except OSError as error:
            raise BalancerError(f"haproxy's runtime socket: {error}")
        return b"".join(chunks).decode()

    # Targets: slot n is the server `target<n>`.
    def register(self, slot, address, port):
        server = f"{self.BACKEND}/target{slot}"
        self.command(f"set server {server} addr {address} port {port}")
        # Out of maintenance HAProxy would count the server up at once; forced down in the same
        # request it must pass `rise` checks first, as a new target is "initial" until it passes
        # the healthy threshold.
        self.command(f"set server {server} state ready; set server {server} health down")

    def drain(self, slot):
        self.command(f"set server {self.BACKEND}/target{slot} state drain")

    def deregister(self, slot):
        server = f"{self.BACKEND}/target{slot}"
        self.command(f"set server {server} state maint")
        self.command(f"shutdown sessions server {server}")

    def states(self):
        """slot → (status, address) for every slot in use: status is UP, DOWN, DRAIN, MAINT or
        a transition such as `UP 1/3` (going down) or `DOWN 1/2` (coming up)."""
        text = self.command("show stat")
        rows = csv.DictReader(io.StringIO(text.lstrip("# ")))
        found = {}
        for row in rows:
            if row.get("pxname") == self.BACKEND and (row.get("svname") or "").startswith("target"):
                slot = int(row["svname"][len("target"):])
                found[slot] = (row.get("status", ""), row.get("addr", ""))
        return found
