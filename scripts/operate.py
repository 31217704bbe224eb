#!/usr/bin/env python3
"""The on-call commands that read a deployed variant through the AWS API (boto3): its logs,
its releases and its drift. Called by scripts/fargate.sh (make logs, make releases, make rollback,
make drift), which passes the variant's names as `tictactoe variant facts` prints them.

    operate.py logs --group G [--follow] [--since 10m] [--level error] [--filter 'k=v …'] [--task ID]
                    [--previous --cluster C --service S]
    operate.py releases --parameter P [--current sha256:…]
    operate.py release --parameter P (--to VERSION | --before sha256:…)    # prints: VERSION DIGEST
    operate.py record --parameter P --version V --digest D --how deploy|rollback
    operate.py drift --stack S [--wait 300]

Every mistake the caller can fix is one line on standard error and exit status 2; what AWS
refused, one line naming the call and AWS's error code, exit status 1.
"""
import argparse
import datetime
import json
import re
import sys
import time

LEVELS = ["trace", "debug", "info", "notice", "warning", "error", "critical"]


class Refusal(Exception):
    """A mistake in what the caller asked: printed as it is, exit status 2."""


def client(name):
    try:
        import boto3
    except ImportError:
        raise Refusal("boto3 is missing: pip install boto3 (scripts/ensure-deps.sh operate installs it and the aws CLI)")
    return boto3.client(name)


def parse_since(text, now=None):
    """`10m`, `2h`, `1d`, `90s` → epoch milliseconds that long before now."""
    match = re.fullmatch(r"(\d{1,6})([smhd])", text or "")
    if not match:
        raise Refusal(f"SINCE must be a number and a unit, s m h or d (10m, 2h, 1d), not {text!r}")
    seconds = int(match.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return int(((now or time.time()) - seconds) * 1000)


def parse_terms(text):
    """`level=error status=500 abc` → ([("level", "error"), ("status", "500")], ["abc"])."""
    fields, words = [], []
    for term in (text or "").split():
        if "=" in term:
            key, _, value = term.partition("=")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", key) or value == "":
                raise Refusal(f"FILTER terms are FIELD=VALUE (a JSON field of the log line) or a word; {term!r} is neither")
            fields.append((key, value))
        else:
            words.append(term)
    return fields, words


# What people call a field, and the name the server writes it under.
FIELD_ALIASES = {"route": "hb.request.path", "path": "hb.request.path", "method": "hb.request.method", "request": "hb.request.id"}


class LineFilter:
    """Which JSON log lines to show: at LEVEL or above, with every FIELD=VALUE (`route=` matches a
    path's prefix) and every word somewhere in the line. The same test is sent to CloudWatch as a
    filter pattern, so that it filters before sending; it is applied here again on what comes back."""

    def __init__(self, level=None, terms=None):
        if level and level not in LEVELS:
            raise Refusal(f"LEVEL must be one of {', '.join(LEVELS)}, not {level!r}")
        self.levels = LEVELS[LEVELS.index(level):] if level else None
        fields, self.words = parse_terms(terms)
        self.fields = [(FIELD_ALIASES.get(key, key), value, key in ("route", "path")) for key, value in fields]

    def matches(self, message):
        try:
            record = json.loads(message)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            return self.levels is None and not self.fields and all(word in message for word in self.words)
        if self.levels is not None and str(record.get("level")) not in self.levels:
            return False
        for key, value, prefix in self.fields:
            actual = record.get(key)
            if actual is None:
                return False
            actual = str(actual).lower() if isinstance(actual, bool) else str(actual)
            if not (actual.startswith(value) if prefix else actual == value):
                return False
        return all(word in message for word in self.words)

    def pattern(self):
        """CloudWatch Logs' JSON filter pattern for the same test (`""` when there is nothing to test)."""
        def quoted(value):
            return '"' + value.replace('\\', '\\\\').replace('"', '\\"') + '"'
        clauses = []
        if self.levels is not None:
            clauses.append("(" + " || ".join(f"$.level = {quoted(level)}" for level in self.levels) + ")")
        for key, value, prefix in self.fields:
            selector = "$." + key if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key) else f"$.[{quoted(key)}]"
            clauses.append(f"({selector} = {quoted(value + '*' if prefix else value)})")
        if not clauses:
            return " ".join(quoted(word) for word in self.words)
        # A JSON pattern cannot also hold words: they are matched here only.
        return "{ " + " && ".join(clauses) + " }"


def log_line(event, with_stream):
    stamp = datetime.datetime.fromtimestamp(event["timestamp"] / 1000, datetime.timezone.utc).strftime("%H:%M:%S")
    task = event.get("logStreamName", "").rsplit("/", 1)[-1][:8]
    return f"{stamp} {task} {event['message'].rstrip()}" if with_stream else event["message"].rstrip()


def logs(args):
    chosen = LineFilter(args.level, args.filter)
    logs_api = client("logs")
    streams = None
    if args.previous:
        task = last_stopped_task(args.cluster, args.service)
        if task is None:
            print(f"no stopped task of {args.service} is on record (ECS keeps them for about an hour)")
            return 0
        print(f"task {task['id']} stopped at {task['stoppedAt']}: {task['reason']}")
        streams = [f"{args.prefix}/{args.container}/{task['id']}"]
        # The whole life of that task, whatever SINCE says.
        args.since_ms = int(task["startedAt"].timestamp() * 1000)
    elif args.task:
        if not re.fullmatch(r"[0-9a-f]{32}|[0-9a-f-]{8,36}", args.task):
            raise Refusal(f"TASK must be a task id such as 0a1b2c3d4e5f67890a1b2c3d4e5f6789 (make status lists them), not {args.task!r}")
        streams = [f"{args.prefix}/{args.container}/{args.task}"]
    start = getattr(args, "since_ms", None) or parse_since(args.since)
    request = {"logGroupName": args.group, "startTime": start}
    pattern = chosen.pattern()
    if pattern:
        request["filterPattern"] = pattern
    if streams:
        request["logStreamNames"] = streams
    seen = set()
    shown = 0
    newest = request["startTime"]
    while True:
        token = None
        batch = []
        while True:
            page = logs_api.filter_log_events(**request, **({"nextToken": token} if token else {}))
            for event in page.get("events", []):
                if event["eventId"] in seen:
                    continue
                seen.add(event["eventId"])
                newest = max(newest, event["timestamp"])
                if chosen.matches(event["message"]):
                    batch.append(event)
            token = page.get("nextToken")
            if not token:
                break
        # In time order across the tasks' streams, whatever order the pages came in.
        for event in sorted(batch, key=lambda event: (event["timestamp"], event["eventId"])):
            print(log_line(event, with_stream=not streams), flush=True)
        shown += len(batch)
        if not args.follow:
            break
        # Events can arrive late: ask again from a little before the newest seen, skipping repeats.
        request["startTime"] = max(start, newest - 5000)
        time.sleep(args.poll)
    if shown == 0 and not args.follow:
        print(f"no log lines in {args.group} since {args.since} ago" + (" that match" if pattern or chosen.words else ""), file=sys.stderr)
    return 0


def last_stopped_task(cluster, service):
    ecs = client("ecs")
    arns = ecs.list_tasks(cluster=cluster, serviceName=service, desiredStatus="STOPPED").get("taskArns", [])
    if not arns:
        return None
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns[:100]).get("tasks", [])
    tasks = [t for t in tasks if t.get("stoppedAt")]
    if not tasks:
        return None
    task = max(tasks, key=lambda t: t["stoppedAt"])
    exits = [f"{c['name']} exited {c['exitCode']}" for c in task.get("containers", []) if c.get("exitCode") is not None]
    reason = task.get("stoppedReason") or task.get("stopCode") or "no reason given"
    started = task.get("startedAt") or task.get("createdAt") or task["stoppedAt"]
    return {"id": task["taskArn"].rsplit("/", 1)[-1], "stoppedAt": task["stoppedAt"], "startedAt": started,
            "reason": "; ".join([reason] + exits)}


def history(parameter):
    """Every release recorded, oldest first: (time, version, digest, how)."""
    ssm = client("ssm")
    entries, token = [], None
    try:
        while True:
            page = ssm.get_parameter_history(Name=parameter, **({"NextToken": token} if token else {}))
            for item in page.get("Parameters", []):
                try:
                    value = json.loads(item["Value"])
                except ValueError:
                    continue
                entries.append((item["LastModifiedDate"], value.get("version", "?"), value.get("digest", ""), value.get("how", "deploy")))
            token = page.get("NextToken")
            if not token:
                break
    except ssm.exceptions.ParameterNotFound:
        return []
    return sorted(entries, key=lambda entry: entry[0])


def releases(args):
    entries = history(args.parameter)
    if not entries:
        print("no release recorded yet: make deploy records each one")
        return 0
    # The stack runs the newest entry with its digest (an older one may have had the same image).
    running = max((i for i, entry in enumerate(entries) if entry[2] == args.current), default=None)
    print(f"{'deployed (UTC)':<20} {'version':<24} {'how':<9} digest")
    for i, (when, version, digest, how) in enumerate(entries):
        current = "  ← running" if i == running else ""
        print(f"{when.strftime('%Y-%m-%d %H:%M:%S'):<20} {version:<24} {how:<9} {digest}{current}")
    return 0


def release(args):
    entries = history(args.parameter)
    if args.to:
        found = [entry for entry in entries if entry[1] == args.to]
        if not found:
            versions = ", ".join(dict.fromkeys(entry[1] for entry in reversed(entries))) or "none"
            raise Refusal(f"no release {args.to} was deployed; deployed: {versions}")
        chosen = found[-1]
    else:
        earlier = [entry for entry in entries if entry[2] != args.before]
        if not earlier:
            raise Refusal("no earlier release to roll back to: make releases lists what was deployed")
        chosen = earlier[-1]
    print(chosen[1], chosen[2])
    return 0


def record(args):
    if not re.fullmatch(r"sha256:[0-9a-f]{64}", args.digest):
        raise Refusal(f"a release is recorded by its image digest (sha256: and 64 hex digits), not {args.digest!r}")
    value = json.dumps({"version": args.version, "digest": args.digest, "how": args.how}, separators=(",", ":"))
    client("ssm").put_parameter(Name=args.parameter, Value=value, Type="String", Overwrite=True,
                                Description="Releases deployed by make deploy and make rollback (its history is the list)")
    return 0


def drift(args):
    cloudformation = client("cloudformation")
    detection = cloudformation.detect_stack_drift(StackName=args.stack)["StackDriftDetectionId"]
    deadline = time.monotonic() + args.wait
    while True:
        status = cloudformation.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            break
        if time.monotonic() >= deadline:
            print(f"error: drift detection of {args.stack} still running after {args.wait}s; run make drift again", file=sys.stderr)
            return 3
        time.sleep(args.poll)
    if status["DetectionStatus"] == "DETECTION_FAILED":
        print(f"note: CloudFormation could not check every resource: {status.get('DetectionStatusReason', 'no reason given')}")
    drifts = cloudformation.describe_stack_resource_drifts(
        StackName=args.stack, StackResourceDriftStatusFilters=["MODIFIED", "DELETED"])["StackResourceDrifts"]
    if not drifts:
        print(f"no drift: every resource of {args.stack} is as the stack says ({status.get('DriftedStackResourceCount', 0)} drifted)")
        return 0
    print(f"{args.stack} has drifted: {len(drifts)} resource(s) differ from the stack")
    for item in drifts:
        print(f"  {item['StackResourceDriftStatus']:<8} {item['LogicalResourceId']} ({item['ResourceType']}, {item.get('PhysicalResourceId', '')})")
        for difference in item.get("PropertyDifferences", []):
            print(f"    {difference['DifferenceType']:<8} {difference['PropertyPath']}: the stack says {difference['ExpectedValue']}, AWS has {difference['ActualValue']}")
    print("make deploy puts the stack's values back; or change the variant to keep what AWS has")
    return 1


def main(argv=None):
    parser = argparse.ArgumentParser(prog="operate.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("logs")
    p.add_argument("--group", required=True)
    p.add_argument("--follow", action="store_true")
    p.add_argument("--since", default="10m")
    p.add_argument("--level")
    p.add_argument("--filter")
    p.add_argument("--task")
    p.add_argument("--previous", action="store_true")
    p.add_argument("--cluster")
    p.add_argument("--service")
    p.add_argument("--prefix", default="tictactoe")
    p.add_argument("--container", default="tictactoe")
    p.add_argument("--poll", type=float, default=2.0)
    p.set_defaults(run=logs)
    p = commands.add_parser("releases")
    p.add_argument("--parameter", required=True)
    p.add_argument("--current", default="")
    p.set_defaults(run=releases)
    p = commands.add_parser("release")
    p.add_argument("--parameter", required=True)
    p.add_argument("--to")
    p.add_argument("--before", default="")
    p.set_defaults(run=release)
    p = commands.add_parser("record")
    p.add_argument("--parameter", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--digest", required=True)
    p.add_argument("--how", choices=["deploy", "rollback"], default="deploy")
    p.set_defaults(run=record)
    p = commands.add_parser("drift")
    p.add_argument("--stack", required=True)
    p.add_argument("--wait", type=int, default=300)
    p.add_argument("--poll", type=float, default=3.0)
    p.set_defaults(run=drift)
    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except Refusal as refusal:
        print(f"error: {refusal}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # botocore's ClientError and connection errors: the call and AWS's code only
        code = getattr(error, "response", {}).get("Error", {}).get("Code") if hasattr(error, "response") else type(error).__name__
        operation = getattr(error, "operation_name", args.command)
        print(f"error: AWS refused {operation} ({code}); check the region, your credentials and make status", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
