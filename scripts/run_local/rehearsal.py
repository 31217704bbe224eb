"""One variant's local rehearsal: where its pieces live (the state folder, build/run-local/VARIANT)
and which loopback addresses they use, and the commands make runs: up, deploy, status, logs, stop
and destroy. Addresses: 127.0.K.2 is the balancer (on the listeners' own ports), 127.0.K.3 the
database, 127.0.K.(10+n) task slot n, where K is the variant's place among the variants, so
several variants can be rehearsed at once."""
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

from . import tasks as docker_tasks
from .balancer import Balancer
from .database import Authority, Postgres, Secret
from .scheduler import read_json, write_json
from .stack import Stack

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TASK_ADDRESS_BASE = 10


class Refused(Exception):
    """A command that cannot go on, with what to do about it."""


class Rehearsal:
    def __init__(self, variant, variants_dir="variants", state_root=None):
        self.variant = variant
        self.variants_dir = variants_dir
        names = sorted(name[:-5] for name in os.listdir(variants_dir) if name.endswith(".yaml"))
        if variant not in names:
            raise Refused(f"unknown VARIANT '{variant}'; valid: {' '.join(names)}")
        self.block = f"127.0.{names.index(variant) + 1}"
        self.dir = os.path.join(state_root or os.path.join(ROOT, "build", "run-local"), variant)
        os.makedirs(self.dir, exist_ok=True)
        self.authority = Authority(self.path("ca"))
        self.stack = Stack(self.path("stack.json")) if os.path.exists(self.path("stack.json")) else None
        self.balancer = Balancer(self.dir, self.balancer_address, self.slots) if self.stack else None

    def path(self, name):
        return os.path.join(self.dir, name)

    @property
    def balancer_address(self):
        return f"{self.block}.2"

    @property
    def database_address(self):
        return f"{self.block}.3"

    def task_address(self, slot):
        return f"{self.block}.{TASK_ADDRESS_BASE + slot}"

    @property
    def slots(self):
        rules = self.stack.deployment
        return max(self.stack.desired_count + 1, self.stack.desired_count * rules["maximum_percent"] // 100)

    # What the template leaves to CloudFormation, made local.
    @property
    def facts(self):
        facts = {"TrustedProxyCidrs": f"{self.balancer_address}/32", "LoadBalancer.DNSName": self.balancer_address,
                 "AWS::Region": "us-east-1", "AWS::AccountId": "000000000000", "AWS::Partition": "aws",
                 "DatabaseSecret": "run-local:database-secret"}
        if self.stack.database:
            facts[f"{self.stack.database}.Endpoint.Address"] = self.database_address
            facts[f"{self.stack.database}.Endpoint.Port"] = "5432"
            facts["Database.Endpoint.Address"] = self.database_address
            facts["Database.Endpoint.Port"] = "5432"
        return facts

    def database_settings(self):
        """(user, database name) the stack gives its database."""
        secret = self.stack.resources.get("DatabaseSecret", {}).get("Properties", {})
        template = json.loads(secret.get("GenerateSecretString", {}).get("SecretStringTemplate", "{}"))
        environment = {e["Name"]: e["Value"] for e in self.stack.container.get("Environment", [])}
        return template.get("username", "tictactoe"), str(environment.get("PGDATABASE", "tictactoe"))

    def container_settings(self, address):
        facts = self.facts
        environment = {e["Name"]: self.stack.resolve(e["Value"], facts) for e in self.stack.container.get("Environment", [])}
        # Each task listens on its own loopback address, as a Fargate task on its own interface.
        environment["HOST"] = address
        secrets = {}
        local_secrets = read_json(self.path("secrets.json"), {})
        database_secret = None
        for secret in self.stack.container.get("Secrets", []):
            source = self.stack.resolve(secret["ValueFrom"], facts)
            if source.startswith("run-local:database-secret:"):
                database_secret = database_secret or Secret(self.path("database-secret.json"), self.database_settings()[0])
                secrets[secret["Name"]] = database_secret.values[source.split(":")[2]]
            elif source in local_secrets:
                secrets[secret["Name"]] = local_secrets[source]
            else:
                raise Refused(f"the task reads {secret['Name']} from {source}: put its value in {self.path('secrets.json')} "
                              f"as {{\"{source}\": \"…\"}} (it stands in for Secrets Manager and SSM)")
        extra = {}
        if "PGSSLROOTCERT" in environment and self.stack.database:
            extra[environment["PGSSLROOTCERT"]] = self.authority.cert
        return docker_tasks.container_settings(self.stack, environment, secrets, docker_tasks.volume_mounts(self.stack, extra))

    def url(self):
        return self.stack.url(self.facts) or f"http://{self.balancer_address}/"

    def smoke_arguments(self):
        """How `tictactoe smoke` reaches the URL: a domain goes to the balancer's address."""
        url = self.url()
        host = url.split("://", 1)[1].split("/", 1)[0]
        extra = []
        if not host.startswith(self.block):
            port = 443 if url.startswith("https://") else 80
            extra += ["--resolve", f"{host.split(':')[0]}:{port}:{self.balancer_address}"]
        if url.startswith("https://"):
            extra += ["--cacert", self.authority.cert]
        return [url, *extra]

    # State.
    def scheduler_pid(self):
        try:
            pid = int(open(self.path("scheduler.pid")).read())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError):
            return None

    def deployment(self):
        return read_json(self.path("deployment.json"), {})

    def wait_for_deployment(self, revision, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            deployment = self.deployment()
            if deployment.get("revision") == revision and deployment.get("state") in ("COMPLETED", "ROLLED_BACK", "FAILED"):
                return deployment
            if not self.scheduler_pid():
                raise Refused(f"the scheduler stopped (its log: {self.path('scheduler.log')})")
            time.sleep(0.5)
        tasks = read_json(self.path("tasks.json"), {}).get("tasks", [])
        seen = ", ".join(f"{t['name']} {t.get('target', '?')}" for t in tasks) or "no tasks"
        raise Refused(f"revision {revision} did not become stable within {seconds} s ({seen}); make run-local-status, make run-local-logs")

    def image_id(self, image):
        try:
            return docker_tasks.client().images.get(image).id
        except Exception:
            raise Refused(f"no image {image}: build it with make image VARIANT={self.variant}")


def render(rehearsal, binary, arch, repository):
    variant_file = os.path.join(rehearsal.variants_dir, f"{rehearsal.variant}.yaml")
    result = subprocess.run([binary, "stack", "--variant", variant_file, "--arch", arch, "--repository", repository,
                             "--region", "us-east-1", "--account", "000000000000", "--output", rehearsal.path("stack.json")],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Refused(f"rendering the stack failed: {result.stderr.strip()}")
    rehearsal.stack = Stack(rehearsal.path("stack.json"))
    rehearsal.balancer = Balancer(rehearsal.dir, rehearsal.balancer_address, rehearsal.slots)


def up(rehearsal, binary, arch, repository, wait):
    if rehearsal.scheduler_pid():
        raise Refused(f"{rehearsal.variant} is already running locally: make run-local-status VARIANT={rehearsal.variant} shows it, "
                      f"make run-local-stop VARIANT={rehearsal.variant} stops it")
    started = time.monotonic()
    stop(rehearsal, quiet=True)  # what a run killed half-way left behind
    render(rehearsal, binary, arch, repository)
    stack = rehearsal.stack
    image = stack.image
    image_id = rehearsal.image_id(image)
    rehearsal.authority.ensure()
    if stack.database:
        user, database = rehearsal.database_settings()
        secret = Secret(rehearsal.path("database-secret.json"), user)
        crt, key = rehearsal.authority.issue("database", [rehearsal.database_address])
        Postgres(rehearsal.path("postgres"), rehearsal.database_address).start(crt, key, database, secret.values)
        print(f"database: PostgreSQL at {rehearsal.database_address}:5432, database {database}, TLS only (verify-full against the local CA); "
              f"data in {rehearsal.path('postgres')}")
    certificate = None
    if any(protocol == "HTTPS" for _, protocol, _ in stack.listener_ports()):
        host = rehearsal.url().split("://", 1)[1].split("/", 1)[0]
        crt, key = rehearsal.authority.issue("balancer", [host, rehearsal.balancer_address])
        certificate = rehearsal.path("balancer.pem")
        with open(certificate, "w") as f:
            f.write(open(crt).read() + open(key).read())
        os.chmod(certificate, 0o600)
    rehearsal.balancer.write_config(stack, certificate)
    rehearsal.balancer.start()
    ports = ", ".join(f"{port} {protocol}{' (301 to HTTPS)' if redirect else ''}" for port, protocol, redirect in stack.listener_ports())
    print(f"balancer: HAProxy at {rehearsal.balancer_address} ({ports}); health check GET {stack.health_check['path']} "
          f"every {stack.health_check['interval']} s; deregistration delay {stack.deregistration_delay} s")
    revision = max([int(r) for r in read_json(rehearsal.path("service.json"), {}).get("revisions", {})] or [0]) + 1
    write_json(rehearsal.path("service.json"), {"revisions": {str(revision): {"image": image_id, "tag": image}},
                                                "primary": revision, "previous": None})
    write_json(rehearsal.path("deployment.json"), {"revision": revision, "state": "IN_PROGRESS", "started": time.time()})
    write_json(rehearsal.path("tasks.json"), {"counter": 0, "tasks": []})
    start_scheduler(rehearsal)
    print(f"service: {stack.desired_count} tasks of {image} ({image_id[:19]}), revision {revision}")
    deployment = rehearsal.wait_for_deployment(revision, wait)
    if deployment["state"] != "COMPLETED":
        raise Refused(f"{rehearsal.variant} did not start: {deployment.get('reason')}")
    stable = time.monotonic() - started
    smoke = subprocess.run([binary, "smoke", *rehearsal.smoke_arguments(), "--wait", "30"],
                           capture_output=True, text=True)
    print((smoke.stdout + smoke.stderr).strip())
    if smoke.returncode != 0:
        raise Refused(f"{rehearsal.variant} runs locally but did not play a game (above); make run-local-logs shows the tasks' side")
    print(f"run-local: {time.monotonic() - started:.1f} s from start to the first smoke game ({stable:.1f} s to a stable service)")
    url, *extra = rehearsal.smoke_arguments()
    if extra:
        print(f"its domain is served here: make smoke URL={url} SMOKE_ARGS='{' '.join(extra)}'; for a browser, map the "
              f"domain to {rehearsal.balancer_address} in /etc/hosts and trust {rehearsal.authority.cert}")
    print(url)


def start_scheduler(rehearsal):
    log = open(rehearsal.path("scheduler.log"), "a")
    process = subprocess.Popen([sys.executable, os.path.join(ROOT, "scripts/run-local.py"), "scheduler", rehearsal.variant,
                                "--variants-dir", rehearsal.variants_dir, "--state", os.path.dirname(rehearsal.dir)],
                               stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
    with open(rehearsal.path("scheduler.pid"), "w") as f:
        f.write(str(process.pid))


def deploy(rehearsal, image, wait):
    if not rehearsal.scheduler_pid():
        raise Refused(f"{rehearsal.variant} is not running locally: make run-local VARIANT={rehearsal.variant} first")
    started = time.monotonic()
    service = read_json(rehearsal.path("service.json"))
    tag = image or rehearsal.stack.image
    image_id = rehearsal.image_id(tag)
    primary = service["primary"]
    if service["revisions"][str(primary)]["image"] == image_id:
        print(f"note: revision {primary} already runs {image_id[:19]}; replacing its tasks anyway (as --force-new-deployment)")
    revision = max(int(r) for r in service["revisions"]) + 1
    service["revisions"][str(revision)] = {"image": image_id, "tag": tag}
    service["previous"], service["primary"] = primary, revision
    write_json(rehearsal.path("deployment.json"), {"revision": revision, "state": "IN_PROGRESS", "started": time.time()})
    write_json(rehearsal.path("service.json"), service)
    rules = rehearsal.stack.deployment
    print(f"deploy: revision {revision} ({tag}, {image_id[:19]}) replaces revision {primary}: "
          f"minimum healthy {rules['minimum_percent']} %, maximum {rules['maximum_percent']} %, "
          f"circuit breaker {'on' if rules['circuit_breaker'] else 'off'}")
    deployment = rehearsal.wait_for_deployment(revision, wait)
    if deployment["state"] != "COMPLETED":
        raise Refused(f"deploy of revision {revision} failed: {deployment.get('reason')}; revision {primary}'s tasks still serve")
    print(f"deploy: revision {revision} serves; the rolling replacement took {time.monotonic() - started:.1f} s")


def status(rehearsal):
    running = rehearsal.scheduler_pid()
    deployment = rehearsal.deployment()
    service = read_json(rehearsal.path("service.json"), {})
    print(f"{rehearsal.variant}: {'running' if running else 'stopped'}; revision {service.get('primary', '-')}; "
          f"last deployment: revision {deployment.get('revision', '-')} {deployment.get('state', '-')}"
          + (f" ({deployment['reason']})" if deployment.get("reason") else "")
          + (f" in {deployment['seconds']} s" if deployment.get("seconds") is not None else ""))
    known = read_json(rehearsal.path("tasks.json"), {}).get("tasks", []) if running else []
    print(f"  {'task':34} {'revision':8} {'address':18} {'container':20} target")
    for task in known:
        target = task.get("target", "?") + (" (draining)" if task.get("draining_since") else "")
        print(f"  {task['name']:34} {task['revision']:<8} {task['address'] + ':' + str(rehearsal.stack.container_port):18} "
              f"{task.get('container', '?'):20} {target}")
    listed = {task["name"] for task in known}
    for container in docker_tasks.of_variant(docker_tasks.client(), rehearsal.variant):
        if container.name not in listed:
            print(f"  {container.name:34} {container.labels.get(docker_tasks.LABEL + '.revision', '?'):8} {'-':18} "
                  f"{container.status:20} not registered (make run-local-stop removes it)")
    if running:
        print(f"  url: {rehearsal.url()}")


def logs(rehearsal):
    containers = sorted(docker_tasks.of_variant(docker_tasks.client(), rehearsal.variant), key=lambda c: c.name)
    if not containers:
        print(f"no tasks of {rehearsal.variant} (make run-local VARIANT={rehearsal.variant} starts them)")
    for container in containers:
        for line in container.logs().decode(errors="replace").splitlines():
            print(f"{container.name} {line}")


def stop(rehearsal, quiet=False):
    pid = rehearsal.scheduler_pid()
    if pid:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and rehearsal.scheduler_pid():
            time.sleep(0.2)
        if rehearsal.scheduler_pid():
            os.kill(pid, signal.SIGKILL)
    engine = docker_tasks.client()
    containers = docker_tasks.of_variant(engine, rehearsal.variant)
    timeout = int(rehearsal.stack.container.get("StopTimeout", 30)) if rehearsal.stack else 30

    def stop_one(container):
        try:
            container.stop(timeout=timeout)
            container.remove(v=True, force=True)
        except Exception:
            pass

    threads = [threading.Thread(target=stop_one, args=(c,)) for c in containers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout + 15)
    if rehearsal.balancer:
        rehearsal.balancer.stop()
    if os.path.exists(rehearsal.path("postgres/postmaster.pid")):
        Postgres(rehearsal.path("postgres"), rehearsal.database_address).stop()
    for name in ("scheduler.pid", "tasks.json"):
        if os.path.exists(rehearsal.path(name)):
            os.remove(rehearsal.path(name))
    if not quiet:
        kept = f"; the database's data stays in {rehearsal.path('postgres')} (make run-local-destroy removes it)" \
            if os.path.exists(rehearsal.path("postgres")) else ""
        print(f"stopped {rehearsal.variant}: {len(containers)} tasks, the balancer{' and the database' if kept else ''}{kept}")


def destroy(rehearsal):
    stop(rehearsal)
    shutil.rmtree(rehearsal.dir, ignore_errors=True)
    print(f"destroyed {rehearsal.variant}'s rehearsal: {rehearsal.dir} and everything in it")
