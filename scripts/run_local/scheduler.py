"""The service scheduler: what ECS does for a service, run here as one background process per
variant. It keeps the desired count of tasks of the primary revision running and registered in
the balancer; replaces a task that exits, fails its container health check, or fails the
balancer's health check after the grace period; and rolls a new revision out by the service's
rules: never more than maximumPercent tasks running, never fewer than minimumHealthyPercent
healthy in the balancer, each old task drained for the deregistration delay and then stopped with
its stop signal and timeout. With the circuit breaker on, a revision whose tasks fail
`Stack.failure_threshold` times is rolled back to the previous one.

Files in the state folder: service.json (the revisions and the primary one; written by the
commands), deployment.json and tasks.json (written here, read by status), scheduler.log."""
import json
import math
import os
import signal
import threading
import time

from . import tasks as docker_tasks


def read_json(path, default=None):
    try:
        return json.load(open(path))
    except (OSError, ValueError):
        return default


def write_json(path, value):
    temporary = path + ".new"
    with open(temporary, "w") as f:
        json.dump(value, f, indent=1)
    os.replace(temporary, path)


class Scheduler:
    def __init__(self, rehearsal):
        self.r = rehearsal
        self.stack = rehearsal.stack
        self.engine = docker_tasks.client()
        self.balancer = rehearsal.balancer
        self.tasks = {}  # name → task record
        self.counter = 0
        self.stopping = False
        self.stoppers = []
        self.log_file = open(os.path.join(rehearsal.dir, "scheduler.log"), "a", buffering=1)

    def log(self, message):
        self.log_file.write(f"{time.strftime('%H:%M:%S')} {message}\n")

    # Service and deployment state.
    def service(self):
        return read_json(self.r.path("service.json"))

    def deployment(self):
        return read_json(self.r.path("deployment.json"), {})

    def set_deployment(self, **fields):
        deployment = self.deployment()
        deployment.update(fields)
        write_json(self.r.path("deployment.json"), deployment)

    def publish(self):
        write_json(self.r.path("tasks.json"), {"counter": self.counter, "tasks": list(self.tasks.values())})

    # Tasks.
    def free_slot(self):
        used = {task["slot"] for task in self.tasks.values()}
        return next(slot for slot in range(1, self.balancer.slots + 1) if slot not in used)

    def launch(self, revision, image):
        self.counter += 1
        name = f"tictactoe-local-{self.r.variant}-{self.counter}"
        slot = self.free_slot()
        address = self.r.task_address(slot)
        try:
            docker_tasks.start(self.engine, name, image, self.r.variant, revision, self.r.container_settings(address))
        except docker_tasks.TaskError as error:
            self.log(f"{name}: {error}")
            self.fail_revision(revision, f"{name} could not start: {error}")
            return
        self.balancer.register(slot, address, self.stack.container_port)
        self.tasks[name] = {"name": name, "slot": slot, "address": address, "revision": revision, "image": image,
                            "started": time.time(), "healthy": False, "draining_since": None}
        self.log(f"{name}: started revision {revision} at {address}:{self.stack.container_port} (target{slot})")

    def stop_task(self, task, reason):
        """Out of the balancer now, then stopped with the container's stop signal and timeout."""
        self.tasks.pop(task["name"], None)
        try:
            self.balancer.deregister(task["slot"])
        except Exception as error:  # the balancer may be gone during a stop
            self.log(f"{task['name']}: deregistering: {error}")
        self.log(f"{task['name']}: stopping ({reason})")

        def stop():
            try:
                container = self.engine.containers.get(task["name"])
                container.stop(timeout=int(self.stack.container.get("StopTimeout", 30)))
                container.remove(v=True)
            except Exception as error:
                self.log(f"{task['name']}: {error}")

        thread = threading.Thread(target=stop, daemon=True)
        thread.start()
        self.stoppers = [t for t in self.stoppers if t.is_alive()] + [thread]

    def fail_revision(self, revision, reason):
        deployment = self.deployment()
        if deployment.get("state") != "IN_PROGRESS" or deployment.get("revision") != revision:
            return
        failures = deployment.get("failures", []) + [reason]
        self.set_deployment(failures=failures)
        breaker = self.stack.deployment
        if not breaker["circuit_breaker"] or len(failures) < self.stack.failure_threshold:
            return
        service = self.service()
        previous = service.get("previous")
        why = f"{len(failures)} tasks of revision {revision} failed (the circuit breaker's threshold is {self.stack.failure_threshold}); the last: {reason}"
        if breaker["rollback"] and previous:
            service["primary"], service["previous"] = previous, None
            write_json(self.r.path("service.json"), service)
            self.set_deployment(state="ROLLED_BACK", reason=f"rolled back to revision {previous}: {why}", finished=time.time())
        else:
            self.set_deployment(state="FAILED", reason=why, finished=time.time())
        self.log(f"deployment of revision {revision}: {self.deployment()['reason']}")

    # One pass of the loop.
    def observe(self):
        states = self.balancer.states()
        now = time.time()
        for task in list(self.tasks.values()):
            try:
                container = self.engine.containers.get(task["name"])
                status, check, code = docker_tasks.health(container)
            except Exception:
                status, check, code, container = "gone", "none", None, None
            target = states.get(task["slot"], ("?", ""))[0]
            task["target"] = target
            task["container"] = f"{status}/{check}"
            task["healthy"] = target.startswith("UP") or (target.startswith("DRAIN") and task["draining_since"] is not None)
            if task["healthy"] and "healthy_at" not in task:
                task["healthy_at"] = now
                self.log(f"{task['name']}: healthy in the balancer {now - task['started']:.1f} s after starting")
            reason = None
            if status in ("exited", "dead", "gone"):
                lines = docker_tasks.last_lines(container) if container else []
                reason = f"{task['name']} exited with code {code}" + (f": {lines[-1][:300]}" if lines else "")
            elif check == "unhealthy":
                reason = f"{task['name']} failed its container health check"
            elif target == "DOWN" and task["draining_since"] is None and now - task["started"] > self.unhealthy_after():
                reason = f"{task['name']} failed the balancer's health checks (GET {self.stack.health_check['path']})"
            if reason:
                self.log(reason)
                if "healthy_at" not in task:
                    self.fail_revision(task["revision"], reason)
                self.stop_task(task, reason)

    def unhealthy_after(self):
        """Seconds after its start from which a task down in the balancer is replaced: the
        service's grace period, and at least the failed checks that make a new target unhealthy."""
        check = self.stack.health_check
        return max(self.stack.grace_seconds, check["interval"] * check["fall"])

    def reconcile(self):
        service = self.service()
        primary = service["primary"]
        image = service["revisions"][str(primary)]["image"]
        desired = self.stack.desired_count
        rules = self.stack.deployment
        most = max(desired, math.floor(desired * rules["maximum_percent"] / 100))
        least = math.ceil(desired * rules["minimum_percent"] / 100)
        now = time.time()
        serving = [t for t in self.tasks.values() if t["draining_since"] is None]
        current = [t for t in serving if t["revision"] == primary]
        old = [t for t in serving if t["revision"] != primary]
        # Drained long enough: stopped.
        for task in [t for t in self.tasks.values() if t["draining_since"] is not None]:
            if now - task["draining_since"] >= self.stack.deregistration_delay:
                self.stop_task(task, "drained")
        # Old tasks first leave while enough healthy tasks stay (unhealthy ones at once).
        healthy = sum(1 for t in serving if t["healthy"])
        for task in sorted(old, key=lambda t: t["healthy"]):
            if not task["healthy"]:
                self.stop_task(task, f"replaced by revision {primary}")
                serving.remove(task)
            elif healthy - 1 >= least:
                self.drain(task, f"replaced by revision {primary}")
                healthy -= 1
        # Too many of the primary revision (the desired count was lowered): the newest leave.
        for task in sorted(current, key=lambda t: t["started"])[desired:]:
            self.drain(task, "more tasks than desired")
        # New tasks within maximumPercent, the draining ones counted as running (they are).
        running = len(self.tasks)
        missing = desired - len(current)
        while missing > 0 and running < most and not self.stopping:
            self.launch(primary, image)
            running, missing = running + 1, missing - 1
        # The deployment is done when only the primary revision serves, all of it healthy.
        deployment = self.deployment()
        if deployment.get("state") == "IN_PROGRESS" and deployment.get("revision") == primary:
            current = [t for t in self.tasks.values() if t["revision"] == primary and t["draining_since"] is None]
            others = [t for t in self.tasks.values() if t["revision"] != primary]
            if not others and len(current) == desired and all(t["healthy"] for t in current):
                self.set_deployment(state="COMPLETED", finished=now, seconds=round(now - deployment["started"], 1))
                self.log(f"deployment of revision {primary}: completed in {now - deployment['started']:.1f} s")

    def drain(self, task, reason):
        if task["draining_since"] is None:
            task["draining_since"] = time.time()
            self.balancer.drain(task["slot"])
            self.log(f"{task['name']}: draining for {self.stack.deregistration_delay} s ({reason})")

    def adopt(self):
        """Tasks a previous scheduler of this variant started (it was killed): kept if running."""
        known = read_json(self.r.path("tasks.json"), {})
        self.counter = known.get("counter", 0)
        for task in known.get("tasks", []):
            task["draining_since"] = None
            self.tasks[task["name"]] = task
            self.balancer.register(task["slot"], task["address"], self.stack.container_port)

    def run(self):
        signal.signal(signal.SIGTERM, lambda *_: setattr(self, "stopping", True))
        self.adopt()
        self.log(f"scheduler of {self.r.variant} started (pid {os.getpid()})")
        failed_passes = 0
        while not self.stopping:
            try:
                self.observe()
                self.reconcile()
                self.publish()
                failed_passes = 0
            except Exception as error:  # one bad pass must not end the service
                failed_passes += 1
                self.log(f"scheduler pass failed: {error!r}")
                deployment = self.deployment()
                if failed_passes == 5 and deployment.get("state") == "IN_PROGRESS":
                    self.set_deployment(state="FAILED", reason=f"the scheduler cannot run the service: {error}", finished=time.time())
            time.sleep(1)
        self.publish()
        self.log("scheduler stopped")
