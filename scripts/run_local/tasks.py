"""Tasks as Docker containers, each made exactly as the task definition's container says: its
environment and secrets (passed through Docker's API, never on a command line), user, read-only
root filesystem with its volumes writable, CPU and memory limits, ulimits, health check, stop
timeout (given when the scheduler stops it) and capabilities. With host networking each task gets a loopback address of its own
(HOST), as each Fargate task has its own network interface; the port is the task definition's."""
import docker
import docker.errors
import docker.types

LABEL = "tictactoe.run-local"
NANOSECONDS = 1_000_000_000


class TaskError(Exception):
    pass


def client():
    try:
        engine = docker.from_env(timeout=60)
        engine.ping()
        return engine
    except docker.errors.DockerException as error:
        raise TaskError(f"Docker is not reachable: {error} (start dockerd, or set DOCKER_HOST)")


def container_settings(stack, environment, secrets, mounts):
    """The keyword arguments of docker's containers.create for the stack's container."""
    container, task = stack.container, stack.task
    memory = container.get("Memory") or task.get("Memory")
    cpu = container.get("Cpu") or task.get("Cpu")
    settings = {
        "environment": {**environment, **secrets},
        "network_mode": "host",
        "read_only": bool(container.get("ReadonlyRootFilesystem", False)),
        "mounts": mounts,
    }
    if container.get("User"):
        settings["user"] = container["User"]
    if memory:
        settings["mem_limit"] = f"{int(memory)}m"
    if cpu:
        settings["nano_cpus"] = int(cpu) * NANOSECONDS // 1024
    ulimits = [docker.types.Ulimit(name=u["Name"], soft=int(u["SoftLimit"]), hard=int(u["HardLimit"]))
               for u in container.get("Ulimits", [])]
    if ulimits:
        settings["ulimits"] = ulimits
    capabilities = container.get("LinuxParameters", {}).get("Capabilities", {})
    if capabilities.get("Drop"):
        settings["cap_drop"] = capabilities["Drop"]
    if capabilities.get("Add"):
        settings["cap_add"] = capabilities["Add"]
    check = container.get("HealthCheck")
    if check:
        settings["healthcheck"] = {
            "test": check["Command"],
            "interval": int(check.get("Interval", 30)) * NANOSECONDS,
            "timeout": int(check.get("Timeout", 5)) * NANOSECONDS,
            "retries": int(check.get("Retries", 3)),
            "start_period": int(check.get("StartPeriod", 0)) * NANOSECONDS,
        }
    return settings


def volume_mounts(stack, extra):
    """The task's volumes as Docker mounts: a Fargate task's own storage is ephemeral, so each is
    a tmpfs writable by the task's user; `extra` adds read-only bind mounts (target → source)."""
    mounts = []
    for point in stack.container.get("MountPoints", []):
        mounts.append(docker.types.Mount(target=point["ContainerPath"], source=None, type="tmpfs",
                                         read_only=bool(point.get("ReadOnly", False)), tmpfs_mode=0o1777))
    for target, source in extra.items():
        mounts.append(docker.types.Mount(target=target, source=source, type="bind", read_only=True))
    return mounts


def start(engine, name, image, variant, revision, settings):
    labels = {LABEL: variant, f"{LABEL}.revision": str(revision)}
    try:
        container = engine.containers.create(image, name=name, labels=labels, detach=True, **settings)
        container.start()
        return container
    except docker.errors.ImageNotFound:
        raise TaskError(f"no image {image}: build it with make image VARIANT={variant}")
    except docker.errors.APIError as error:
        raise TaskError(f"Docker refused task {name}: {error.explanation or error}")


def of_variant(engine, variant):
    return engine.containers.list(all=True, filters={"label": f"{LABEL}={variant}"})


def health(container):
    """Docker's view: running/exited and the container health check's status."""
    container.reload()
    state = container.attrs.get("State", {})
    return state.get("Status", "?"), state.get("Health", {}).get("Status", "none"), state.get("ExitCode")


def last_lines(container, count=3):
    try:
        return container.logs(tail=count).decode(errors="replace").strip().splitlines()
    except docker.errors.APIError:
        return []
