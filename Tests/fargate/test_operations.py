"""The on-call commands against moto: exec, logs, releases and rollback through the stack, the
dashboard, cost; and, where moto has no such API (drift, stopped tasks), the calls checked against
botocore's own model of the service."""
import datetime
import json
import os
import re
import subprocess
import sys
import time

import boto3
import pytest
from botocore.stub import Stubber
from conftest import ACCOUNT, BIN, REGION, ROOT, aws, make, push_fake_image, run

sys.path.insert(0, os.path.join(ROOT, "scripts"))
import operate  # noqa: E402

REPOSITORY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/tictactoe"


def variant_copy(aws_env, name, source, change):
    """A variant NAME in the test's copy of variants/, made from SOURCE by `change(text)`."""
    text = change(open(os.path.join(ROOT, "variants", f"{source}.yaml")).read())
    path = os.path.join(aws_env["VARIANTS_DIR"], f"{name}.yaml")
    open(path, "w").write(text)
    return path


def test_exec_is_refused_until_the_variant_turns_it_on_and_then_opens_a_session_in_a_task(aws_env):
    refused = make(aws_env, "exec", "VARIANT=classic", check=False)
    assert refused.returncode == 2
    assert f"error: ECS Exec is off for classic: set deploy.exec: true in {aws_env['VARIANTS_DIR']}/classic.yaml, make deploy VARIANT=classic, then make exec again" in refused.stderr

    path = variant_copy(aws_env, "execdemo", "classic", lambda text: text.replace("deploy:\n", "deploy:\n  exec: true\n"))
    try:
        # The task definition carries what ECS Exec needs, as ECS registers it.
        make(aws_env, "taskdef", "VARIANT=execdemo", "ARCH=amd64")
        registered = aws(aws_env, "ecs", "register-task-definition", "--cli-input-json",
                         f"file://{ROOT}/build/ecs/execdemo-amd64.json")["taskDefinition"]
        assert registered["taskRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/tictactoe-execdemo-task"
        container = registered["containerDefinitions"][0]
        assert container["linuxParameters"]["initProcessEnabled"] is True
        assert container["readonlyRootFilesystem"] is True
        assert {m["containerPath"] for m in container["mountPoints"]} == {"/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"}
        # The stack: the service lets sessions in, the cluster logs them, the role opens their channels.
        template = json.loads(run([BIN, "stack", "--variant", path, "--arch", "amd64", "--repository", REPOSITORY,
                                   "--region", REGION, "--account", ACCOUNT]).stdout)["Resources"]
        assert template["Service"]["Properties"]["EnableExecuteCommand"] is True
        assert template["Cluster"]["Properties"]["Configuration"]["ExecuteCommandConfiguration"]["Logging"] == "OVERRIDE"
        actions = template["TaskRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"]
        assert sorted(actions) == ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                                   "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]
        # The role boundary lets the created role hold those actions.
        boundary = json.load(open(os.path.join(ROOT, "iam/role-boundary.json")))["Statement"]
        assert set(actions) <= {a for statement in boundary for a in statement["Action"]}

        plan = make(aws_env, "-n", "exec", "VARIANT=execdemo", "TASK=0a1b2c3d4e5f67890a1b2c3d4e5f6789")
        assert ("ecs execute-command --cluster tictactoe-execdemo --task 0a1b2c3d4e5f67890a1b2c3d4e5f6789 --container tictactoe"
                " --interactive --command /usr/local/bin/tictactoe healthcheck") in plan.stdout, plan.stdout
        assert "the image has no shell; tictactoe check-config /etc/tictactoe/config.yaml, healthcheck and --version" in plan.stdout
        checked = make(aws_env, "-n", "exec", "VARIANT=execdemo", "TASK=0a1b2c3d4e5f67890a1b2c3d4e5f6789",
                       "CMD=tictactoe check-config /etc/tictactoe/config.yaml")
        assert "--command /usr/local/bin/tictactoe check-config /etc/tictactoe/config.yaml" in checked.stdout
        shell = make(aws_env, "-n", "exec", "VARIANT=execdemo", "TASK=0a1b2c3d4e5f67890a1b2c3d4e5f6789", "CMD=sh -c 'id'", check=False)
        assert shell.returncode == 2 and "error: the image has no shell, only /usr/local/bin/tictactoe" in shell.stderr
        # Not deployed: said, not hung.
        none = make(aws_env, "-n", "exec", "VARIANT=execdemo", check=False)
        assert none.returncode == 2
        assert "error: tictactoe-execdemo is not deployed in us-east-1 (ECS has no cluster tictactoe-execdemo with it): make deploy VARIANT=execdemo" in none.stderr
    finally:
        os.remove(path)


def put_lines(aws_env, group, task, lines):
    """Writes JSON log lines as a task's awslogs stream would hold them: (seconds ago, record)."""
    logs = boto3.client("logs", endpoint_url=aws_env["AWS_ENDPOINT_URL"], region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")
    stream = f"tictactoe/tictactoe/{task}"
    try:
        logs.create_log_group(logGroupName=group)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    try:
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
    except logs.exceptions.ResourceAlreadyExistsException:
        pass
    now = int(time.time() * 1000)
    events = [{"timestamp": now - ago * 1000, "message": json.dumps(record)} for ago, record in lines]
    logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=sorted(events, key=lambda e: e["timestamp"]))


def test_logs_filter_on_the_json_fields_and_follow_new_lines(aws_env):
    group = "/ecs/tictactoe-gomoku"
    first, second = "1" * 32, "2" * 32
    put_lines(aws_env, group, first, [
        (7200, {"level": "error", "message": "two hours ago"}),
        (30, {"level": "info", "message": "Request", "hb.request.path": "/api/games", "hb.request.method": "POST"}),
        (20, {"level": "warning", "message": "the move is not yours", "status": "409", "hb.request.path": "/api/games/abc/moves"}),
        (10, {"level": "error", "message": "store unavailable", "status": "503", "hb.request.path": "/api/games/abc"}),
    ])
    put_lines(aws_env, group, second, [(15, {"level": "info", "message": "starting", "version": "1.2.0"})])

    def messages(*args):
        out = make(aws_env, "logs", "VARIANT=gomoku", *args).stdout
        return [json.loads(line.split(" ", 2)[2])["message"] if not any(a.startswith("TASK=") for a in args) else json.loads(line)["message"]
                for line in out.splitlines()]

    assert messages() == ["Request", "the move is not yours", "starting", "store unavailable"]
    assert messages("SINCE=3h")[0] == "two hours ago"
    assert messages("LEVEL=warning") == ["the move is not yours", "store unavailable"]
    assert messages("FILTER=route=/api/games/abc status=409") == ["the move is not yours"]
    assert messages("FILTER=route=/api/games/abc") == ["the move is not yours", "store unavailable"]
    assert messages(f"TASK={second}") == ["starting"]
    # Each line says its time and task, so two tasks' lines can be told apart.
    line = make(aws_env, "logs", "VARIANT=gomoku", "LEVEL=error").stdout.splitlines()[0]
    assert re.fullmatch(r"\d\d:\d\d:\d\d 11111111 \{.*\"store unavailable\".*\}", line), line

    for args, message in [
        (["SINCE=10 minutes"], "error: SINCE must be a number and a unit, s m h or d (10m, 2h, 1d), not '10 minutes'"),
        (["LEVEL=loud"], "error: LEVEL must be one of trace, debug, info, notice, warning, error, critical, not 'loud'"),
        (["FILTER==x"], "error: FILTER terms are FIELD=VALUE (a JSON field of the log line) or a word; '=x' is neither"),
        (["TASK=../../etc"], "error: TASK must be a task id such as 0a1b2c3d4e5f67890a1b2c3d4e5f6789 (make status lists them), not '../../etc'"),
    ]:
        refused = make(aws_env, "logs", "VARIANT=gomoku", *args, check=False)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr

    # Following: what is there, then what arrives, until stopped.
    environment = dict(os.environ, **aws_env)
    follower = subprocess.Popen(["make", "--no-print-directory", "logs", "VARIANT=gomoku", "FOLLOW=1", "LEVEL=error"],
                                cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                start_new_session=True)
    try:
        assert "store unavailable" in follower.stdout.readline()
        put_lines(aws_env, group, second, [(0, {"level": "error", "message": "a new error"}),
                                           (0, {"level": "info", "message": "not shown"})])
        deadline = time.monotonic() + 30
        line = follower.stdout.readline()
        assert time.monotonic() < deadline and "a new error" in line, line
    finally:
        os.killpg(follower.pid, 15)
        follower.wait(timeout=10)


def test_releases_are_listed_and_rollback_goes_through_the_stack(aws_env_one_task_running):
    aws_env = aws_env_one_task_running
    old = push_fake_image(aws_env, "classic", ["amd64"], build=1)
    first = make(aws_env, "deploy", "VARIANT=classic", "YES=1", "WAIT=10", "VERSION=1.0.0", check=False, timeout=300)
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"release: 1.0.0, image {REPOSITORY}@{old}; strategy: rolling" in first.stdout
    new = push_fake_image(aws_env, "classic", ["amd64"], build=2)
    assert new != old
    second = make(aws_env, "deploy", "VARIANT=classic", "YES=1", "WAIT=10", "VERSION=1.1.0", check=False, timeout=300)
    assert second.returncode == 0, second.stdout + second.stderr

    def parameters():
        stack = aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-classic")["Stacks"][0]
        return {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert (parameters()["ImageDigest"], parameters()["Release"]) == (new, "1.1.0")
    listed = make(aws_env, "releases", "VARIANT=classic").stdout.splitlines()
    assert listed[0].split() == ["deployed", "(UTC)", "version", "how", "digest"]
    assert [line.split()[2:] for line in listed[1:]] == [["1.0.0", "deploy", old], ["1.1.0", "deploy", new, "←", "running"]]

    unknown = make(aws_env, "rollback", "VARIANT=classic", "TO=0.9.0", "YES=1", check=False)
    assert unknown.returncode == 2 and "error: no release 0.9.0 was deployed; deployed: 1.1.0, 1.0.0" in unknown.stderr
    plan = make(aws_env, "-n", "rollback", "VARIANT=classic", "TO=1.0.0")
    assert "cloudformation update-stack --stack-name tictactoe-classic --use-previous-template" in plan.stdout
    assert f'{{"ParameterKey":"ImageDigest","ParameterValue":"{old}"}}' in plan.stdout
    assert '{"ParameterKey":"Release","ParameterValue":"1.0.0"}' in plan.stdout and '{"ParameterKey":"VpcId","ParameterValue":"vpc-' in plan.stdout
    assert parameters()["ImageDigest"] == new  # a plan changes nothing

    back = make(aws_env, "rollback", "VARIANT=classic", "TO=1.0.0", "YES=1", "WAIT=30", check=False, timeout=300)
    assert back.returncode == 0, back.stdout + back.stderr
    assert f"roll back from 1.1.0 to 1.0.0 ({old})" in back.stdout
    assert f"rolled back to 1.0.0: the stack and the service run {REPOSITORY}@{old}" in back.stdout
    # The stack says what runs, and the variant's rendering still matches the deployed template.
    assert (parameters()["ImageDigest"], parameters()["Release"]) == (old, "1.0.0")
    assert "no changes: the deployed stack matches the variant" in make(aws_env, "diff", "VARIANT=classic").stdout
    listed = make(aws_env, "releases", "VARIANT=classic").stdout.splitlines()
    # Only the newest entry of the running image is marked, though 1.0.0's deploy had it too.
    assert [line.split()[2:] for line in listed[1:]] == [["1.0.0", "deploy", old], ["1.1.0", "deploy", new],
                                                         ["1.0.0", "rollback", old, "←", "running"]]
    # Without TO: the release before the running one.
    forward = make(aws_env, "-n", "rollback", "VARIANT=classic")
    assert f'{{"ParameterKey":"ImageDigest","ParameterValue":"{new}"}}' in forward.stdout

    url = make(aws_env, "dashboard", "VARIANT=classic").stdout.strip()
    assert url == "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/tictactoe-classic"
    dashboard = aws(aws_env, "cloudwatch", "get-dashboard", "--dashboard-name", "tictactoe-classic")
    titles = [w["properties"]["title"] for w in json.loads(dashboard["DashboardBody"])["widgets"]]
    assert titles == ["Games started", "Moves", "Move latency (ms)", "Refusals by reason", "Running tasks", "CPU and memory (%)"]

    make(aws_env, "destroy", "VARIANT=classic", "YES=1", "WAIT=30", timeout=120)
    assert "no release recorded yet" in make(aws_env, "releases", "VARIANT=classic").stdout


def cost_table(variant, variants_dir=None, extra=()):
    out = run(["make", "-s", "cost", f"VARIANT={variant}", "AWS_REGION=us-east-1",
               *([f"VARIANTS_DIR={variants_dir}"] if variants_dir else []), *extra]).stdout
    rows = {}
    for line in out.splitlines():
        match = re.match(r"^(.+?)\s+\$([\d,]+\.\d\d)\s+\$([\d,]+\.\d\d)", line)
        if match:
            rows[match.group(1).strip()] = tuple(float(v.replace(",", "")) for v in match.groups()[1:])
    return out, rows


@pytest.mark.parametrize("variant", sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "variants")) if f.endswith(".yaml")))
def test_cost_of_every_shipped_variant_adds_up_by_resource(variant):
    out, rows = cost_table(variant)
    assert out.startswith(f"tictactoe-{variant}: monthly cost, prices of us-east-1 on ")
    total = rows.pop("total")
    assert {"Fargate amd64 vCPU", "Fargate arm64 vCPU"} & rows.keys() and "ECR images" in rows
    assert round(sum(floor for floor, _ in rows.values()), 2) == total[0]
    assert round(sum(ceiling for _, ceiling in rows.values()), 2) == total[1]
    assert total[0] <= total[1]


def test_a_schedule_costs_less_by_the_hours_the_tasks_are_off(tmp_path):
    original = open(os.path.join(ROOT, "variants/shared.yaml")).read()
    (tmp_path / "shared.yaml").write_text(original)
    (tmp_path / "office.yaml").write_text(original.replace("deploy:\n", "deploy:\n  schedule: {days: mon-fri, hours: 8-20}\n"))
    _, always = cost_table("shared", tmp_path)
    out, office = cost_table("office", tmp_path)
    share = 60 / 168
    for resource in ("Fargate amd64 vCPU", "Fargate amd64 memory"):
        assert abs(office[resource][0] - always[resource][0] * share) <= 0.01, resource
    # The load balancer and the database run all month either way.
    assert office["load balancer"] == always["load balancer"]
    saved = re.search(r"schedule: the tasks run 60 of 168 h a week, so they cost \$([\d.,]+)–\$([\d.,]+) instead of \$([\d.,]+)–\$([\d.,]+)", out)
    assert saved, out
    assert office["total"][0] < always["total"][0]


def stubbed(monkeypatch, name):
    """A real botocore client for `name` whose answers come from a Stubber, which checks every call's
    parameters against the service's model before answering."""
    api = boto3.client(name, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    stubber = Stubber(api)
    clients = getattr(monkeypatch, "_clients", {})
    clients[name] = api
    monkeypatch._clients = clients
    monkeypatch.setattr(operate, "client", lambda wanted: clients[wanted])
    return stubber


def test_drift_detection_prints_each_drifted_property(monkeypatch, capsys):
    stubber = stubbed(monkeypatch, "cloudformation")
    stubber.add_response("detect_stack_drift", {"StackDriftDetectionId": "d-1"}, {"StackName": "tictactoe-shared"})
    status = {"StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/tictactoe-shared/1", "StackDriftDetectionId": "d-1",
              "Timestamp": datetime.datetime(2026, 12, 7)}
    stubber.add_response("describe_stack_drift_detection_status", dict(status, DetectionStatus="DETECTION_IN_PROGRESS"), {"StackDriftDetectionId": "d-1"})
    stubber.add_response("describe_stack_drift_detection_status", dict(status, DetectionStatus="DETECTION_COMPLETE", StackDriftStatus="DRIFTED",
                                                                      DriftedStackResourceCount=1), {"StackDriftDetectionId": "d-1"})
    stubber.add_response("describe_stack_resource_drifts", {"StackResourceDrifts": [{
        "StackId": status["StackId"], "LogicalResourceId": "Service", "PhysicalResourceId": "tictactoe-shared", "ResourceType": "AWS::ECS::Service",
        "StackResourceDriftStatus": "MODIFIED", "Timestamp": datetime.datetime(2026, 12, 7),
        "PropertyDifferences": [{"PropertyPath": "/DesiredCount", "ExpectedValue": "3", "ActualValue": "5", "DifferenceType": "NOT_EQUAL"}],
    }]}, {"StackName": "tictactoe-shared", "StackResourceDriftStatusFilters": ["MODIFIED", "DELETED"]})
    with stubber:
        assert operate.main(["drift", "--stack", "tictactoe-shared", "--poll", "0"]) == 1
    stubber.assert_no_pending_responses()
    out = capsys.readouterr().out
    assert "tictactoe-shared has drifted: 1 resource(s) differ from the stack" in out
    assert "  MODIFIED Service (AWS::ECS::Service, tictactoe-shared)" in out
    assert "    NOT_EQUAL /DesiredCount: the stack says 3, AWS has 5" in out


def test_previous_shows_the_last_stopped_task_its_reason_and_its_lines(monkeypatch, capsys):
    ecs, logs = stubbed(monkeypatch, "ecs"), stubbed(monkeypatch, "logs")
    arn = "arn:aws:ecs:us-east-1:123456789012:task/tictactoe-shared/" + "a" * 32
    older = "arn:aws:ecs:us-east-1:123456789012:task/tictactoe-shared/" + "b" * 32
    ecs.add_response("list_tasks", {"taskArns": [older, arn]},
                     {"cluster": "tictactoe-shared", "serviceName": "tictactoe-shared", "desiredStatus": "STOPPED"})
    ecs.add_response("describe_tasks", {"tasks": [
        {"taskArn": older, "stoppedAt": datetime.datetime(2026, 12, 7, 1), "stoppedReason": "Scaling activity"},
        {"taskArn": arn, "startedAt": datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.timezone.utc),
         "stoppedAt": datetime.datetime(2026, 12, 7, 2), "stoppedReason": "Essential container in task exited",
         "containers": [{"name": "tictactoe", "exitCode": 1}]},
    ]}, {"cluster": "tictactoe-shared", "tasks": [older, arn]})
    logs.add_response("filter_log_events", {"events": [
        {"eventId": "1", "timestamp": 1_796_600_000_000, "message": '{"level":"critical","message":"could not open the database"}',
         "logStreamName": "tictactoe/tictactoe/" + "a" * 32},
    ]}, {"logGroupName": "/ecs/tictactoe-shared", "startTime": int(datetime.datetime(2026, 12, 7, 1, 30, tzinfo=datetime.timezone.utc).timestamp() * 1000),
         "filterPattern": '{ ($.level = "error" || $.level = "critical") }', "logStreamNames": ["tictactoe/tictactoe/" + "a" * 32]})
    with ecs, logs:
        # The task's whole life is read, not only the last SINCE.
        assert operate.main(["logs", "--group", "/ecs/tictactoe-shared", "--since", "1m", "--level", "error", "--previous",
                             "--cluster", "tictactoe-shared", "--service", "tictactoe-shared"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"task {'a' * 32} stopped at 2026-12-07 02:00:00: Essential container in task exited; tictactoe exited 1"
    assert out[1] == '{"level":"critical","message":"could not open the database"}'


def test_a_linear_deployment_with_a_schedule_and_exec_passes_cfn_lint(tmp_path):
    """What moto cannot run, checked on the template: production made linear, with office hours."""
    text = open(os.path.join(ROOT, "variants/production.yaml")).read()
    text = re.sub(r"  strategy: .*\n", "  strategy: {kind: linear, percent: 20, step_bake_min: 3, bake_min: 5}\n", text)
    text = text.replace("  exec: true\n", "  exec: true\n  schedule: {days: mon-sat, hours: 7-22, timezone: Europe/Berlin}\n")
    variant = tmp_path / "office.yaml"
    variant.write_text(text)
    out = tmp_path / "office.json"
    run([BIN, "stack", "--variant", str(variant), "--arch", "arm64", "--repository", REPOSITORY, "--region", REGION,
         "--account", ACCOUNT, "--output", str(out)])
    linted = run(["cfn-lint", "--template", str(out), "--regions", REGION], check=False)
    assert linted.returncode == 0, linted.stdout + linted.stderr
    resources = json.load(open(out))["Resources"]
    deployment = resources["Service"]["Properties"]["DeploymentConfiguration"]
    assert (deployment["Strategy"], deployment["LinearConfiguration"], deployment["BakeTimeInMinutes"]) == (
        "LINEAR", {"StepPercent": 20, "StepBakeTimeInMinutes": 3}, 5)
    actions = resources["ScalableTarget"]["Properties"]["ScheduledActions"]
    assert [(a["Schedule"], a["Timezone"], a["ScalableTargetAction"]) for a in actions] == [
        ("cron(0 7 ? * MON-SAT *)", "Europe/Berlin", {"MinCapacity": 2, "MaxCapacity": 6}),
        ("cron(0 22 ? * MON-SAT *)", "Europe/Berlin", {"MinCapacity": 0, "MaxCapacity": 0}),
    ]
