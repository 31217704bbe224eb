"""Task definitions and stacks rendered from variants/, checked and run against moto_server."""
import json
import os
import re

import botocore.session
import pytest
from botocore.validate import ParamValidator
from conftest import ACCOUNT, REGION, ROOT, aws, free_port, make, push_fake_image, run

BIN = os.environ.get("TICTACTOE_BIN", os.path.join(ROOT, ".build/release/tictactoe"))
REPOSITORY = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/tictactoe"

# Fargate's CPU/memory table, written out here from the AWS documentation, independently of the
# renderer's own copy.
FARGATE = {
    256: {512, 1024, 2048},
    512: set(range(1024, 4097, 1024)),
    1024: set(range(2048, 8193, 1024)),
    2048: set(range(4096, 16385, 1024)),
    4096: set(range(8192, 30721, 1024)),
    8192: set(range(16384, 61441, 4096)),
    16384: set(range(32768, 122881, 8192)),
}


def variants():
    return sorted(f[:-5] for f in os.listdir(os.path.join(ROOT, "variants")) if f.endswith(".yaml"))


def get(variant, key):
    return run([BIN, "variant", "get", f"variants/{variant}.yaml", key]).stdout.strip()


def render(variant, arch, *extra):
    return run([BIN, "taskdef", "--variant", f"variants/{variant}.yaml", "--arch", arch, "--repository", REPOSITORY,
                "--region", REGION, "--account", ACCOUNT, *extra])


@pytest.fixture(scope="module")
def taskdefs(aws_env):
    make(aws_env, "taskdefs")
    files = {}
    for variant in variants():
        for arch in get(variant, "deploy.architectures").split():
            path = os.path.join(ROOT, "build", "ecs", f"{variant}-{arch}.json")
            assert os.path.exists(path), path
            files[(variant, arch)] = path
    return files


def test_renders_every_variant_and_architecture(taskdefs):
    assert len(variants()) >= 4
    assert ("perfect", "arm64") in taskdefs and ("classic", "amd64") in taskdefs


def test_rendered_json_satisfies_botocores_ecs_model_and_the_fargate_table(taskdefs):
    model = botocore.session.get_session().get_service_model("ecs")
    shape = model.operation_model("RegisterTaskDefinition").input_shape
    for path in taskdefs.values():
        body = json.load(open(path))
        report = ParamValidator().validate(body, shape)
        assert not report.has_errors(), f"{path}: {report.generate_report()}"
        assert int(body["memory"]) in FARGATE[int(body["cpu"])], path
        assert body["requiresCompatibilities"] == ["FARGATE"] and body["networkMode"] == "awsvpc"
        container = body["containerDefinitions"][0]
        assert container["readonlyRootFilesystem"] is True
        assert container["healthCheck"]["command"] == ["CMD", "/usr/local/bin/tictactoe", "healthcheck"]
        assert 5 <= container["healthCheck"]["interval"] <= 300 and 2 <= container["healthCheck"]["timeout"] <= 60
        assert container["stopTimeout"] <= 120
        assert container["logConfiguration"]["logDriver"] == "awslogs"
        # /tmp, and with ECS Exec the SSM agent's folders, so that the root stays read-only.
        exec_paths = {"/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"} if "taskRoleArn" in body and "-task" in body["taskRoleArn"] else set()
        assert {m["containerPath"] for m in container["mountPoints"]} == {"/tmp"} | exec_paths
        assert "PORT" not in {e["name"] for e in container["environment"]}


def test_registers_every_task_definition(aws_env, taskdefs):
    for (variant, arch), path in taskdefs.items():
        result = aws(aws_env, "ecs", "register-task-definition", "--cli-input-json", f"file://{path}")
        registered = result["taskDefinition"]
        assert registered["family"] == f"tictactoe-{variant}"
        assert registered["runtimePlatform"]["cpuArchitecture"] == {"amd64": "X86_64", "arm64": "ARM64"}[arch]


def test_port_architecture_and_image_agree(taskdefs):
    for (variant, arch), path in taskdefs.items():
        body = json.load(open(path))
        container = body["containerDefinitions"][0]
        port = int(get(variant, "server.port"))
        assert container["portMappings"][0]["containerPort"] == port
        assert container["image"] == f"{REPOSITORY}:{variant}-{arch}"
        assert body["runtimePlatform"]["cpuArchitecture"] == {"amd64": "X86_64", "arm64": "ARM64"}[arch]


def test_the_image_built_from_the_variant_agrees_with_its_task_definition(taskdefs):
    """Uses the images that `make test-images` built from the same variants just before."""
    docker = "/usr/bin/docker"
    if not os.path.exists(docker) or run([docker, "image", "inspect", "tictactoe-test:classic-amd64"], check=False).returncode:
        pytest.skip("the classic amd64 image is built by make test-images, which runs first in make test")
    for variant, arch in (("classic", "amd64"), ("perfect", "amd64"), ("perfect", "arm64")):
        image = json.loads(run([docker, "image", "inspect", f"tictactoe-test:{variant}-{arch}"]).stdout)[0]
        body = json.load(open(taskdefs[(variant, arch)]))
        container = body["containerDefinitions"][0]
        assert list(image["Config"]["ExposedPorts"]) == [f"{container['portMappings'][0]['containerPort']}/tcp"]
        assert image["Architecture"] == arch
        assert body["runtimePlatform"]["cpuArchitecture"] == {"amd64": "X86_64", "arm64": "ARM64"}[arch]
        assert image["Config"]["User"] == container["user"]
        assert image["Config"]["Labels"]["io.tictactoe.variant"] == variant
        assert container["image"].endswith(f":{variant}-{arch}")


def test_rendering_is_deterministic_and_pins_a_given_digest():
    first = render("perfect", "arm64").stdout
    assert render("perfect", "arm64").stdout == first
    digest = "sha256:" + "0123456789abcdef" * 4
    pinned = json.loads(render("perfect", "arm64", "--digest", digest).stdout)
    assert pinned["containerDefinitions"][0]["image"] == f"{REPOSITORY}@{digest}"


BAD_VARIANTS = {
    "cpu-memory": ("deploy:\n  cpu: 256\n  memory: 4096\n", ":3:11: deploy.memory: Fargate does not offer 4096 MiB with cpu 256"),
    "health": ("deploy:\n  health_check: {interval_s: 2}\n", ":2:30: deploy.health_check.interval_s: expected an integer (seconds) from 5 to 300, found 2"),
    "loopback": ("server: {host: 127.0.0.1}\n", "server.host is 127.0.0.1, so the server would not listen on the task's network interface"),
    "arch": ("deploy:\n  architectures: [amd64]\n", "deploy.architectures builds amd64, not arm64"),
    "secret": ("deploy:\n  secrets: {DATABASE_URL: \"postgres://u:pw@db/x\"}\n", "deploy.secrets.DATABASE_URL: expected an ARN of"),
    "plain-password": ("deploy:\n  environment: {DB_PASSWORD: hunter2}\n", "DB_PASSWORD looks like a secret"),
    "port-env": ("deploy:\n  environment: {PORT: \"80\"}\n", "deploy.environment.PORT: PORT comes from server.port"),
    "tasks": ("deploy:\n  desired_count: 2\n  load_balancer: true\n", ":2:18: deploy.desired_count: 2 tasks would each keep their own `memory` games"),
}


@pytest.mark.parametrize("name", sorted(BAD_VARIANTS))
def test_refuses_what_aws_would_reject(tmp_path, name):
    text, message = BAD_VARIANTS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    arch = "arm64" if name == "arch" else "amd64"
    result = run([BIN, "taskdef", "--variant", str(path), "--arch", arch, "--repository", REPOSITORY,
                  "--region", REGION, "--account", ACCOUNT], check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr


def test_templates_pass_cfn_lint(aws_env, tmp_path):
    for variant in variants():
        out = tmp_path / f"{variant}.json"
        run([BIN, "stack", "--variant", f"variants/{variant}.yaml", "--arch", get(variant, "deploy.run_on"),
             "--repository", REPOSITORY, "--region", REGION, "--account", ACCOUNT, "--output", str(out)])
        result = run(["cfn-lint", "--template", str(out), "--regions", REGION], check=False)
        assert result.returncode == 0, f"{variant}:\n{result.stdout}{result.stderr}"


def test_verify_finds_a_missing_architecture(aws_env):
    result = make(aws_env, "verify", "VARIANT=gomoku", check=False)
    assert result.returncode != 0
    assert "FAIL image: " in result.stdout and "make push VARIANT=gomoku" in result.stdout
    push_fake_image(aws_env, "gomoku", ["arm64"])
    result = make(aws_env, "verify", "VARIANT=gomoku", check=False)
    assert result.returncode != 0
    assert "has no amd64 manifest, so the task would fail with exec format error" in result.stdout


def test_deploy_diff_and_destroy_end_to_end(aws_env):
    push_fake_image(aws_env, "classic", ["amd64"])
    verify = make(aws_env, "verify", "VARIANT=classic")
    assert "verify: ready to deploy classic (amd64)" in verify.stdout
    plan = make(aws_env, "-n", "deploy", "VARIANT=classic")
    assert "cloudformation deploy --stack-name tictactoe-classic" in plan.stdout
    assert aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-classic", check=False).returncode != 0

    no_prompt = make(aws_env, "deploy", "VARIANT=classic", check=False)
    assert no_prompt.returncode != 0 and "pass YES=1" in no_prompt.stderr

    deploy = make(aws_env, "deploy", "VARIANT=classic", "YES=1", "WAIT=4", check=False, timeout=300)
    output = deploy.stdout + deploy.stderr
    assert f"account: {ACCOUNT}  region: {REGION}  stack: tictactoe-classic" in output
    # moto never starts service tasks: the bounded wait must end, and say so, rather than hang
    # (fargate.sh exits 3; make reports a failed recipe as 2).
    assert deploy.returncode == 2 and "error: not stable within 4s (0/1 tasks running" in output, output

    stack = aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-classic")["Stacks"][0]
    assert stack["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    resources = {r["LogicalResourceId"]: r for r in aws(aws_env, "cloudformation", "list-stack-resources", "--stack-name", "tictactoe-classic")["StackResourceSummaries"]}
    assert {"Cluster", "LogGroup", "ExecutionRole", "ServiceSecurityGroup", "TaskDefinition", "Service"} <= resources.keys()

    group = aws(aws_env, "ec2", "describe-security-groups", "--group-ids", resources["ServiceSecurityGroup"]["PhysicalResourceId"])["SecurityGroups"][0]
    rule = group["IpPermissions"][0]
    assert (rule["FromPort"], rule["ToPort"], rule["IpRanges"][0]["CidrIp"]) == (5000, 5000, "0.0.0.0/0")

    # The task definition in the stack is the one `make taskdef` renders: compare the deployed
    # template's resource with the rendered file, key for key (CloudFormation capitalises keys).
    template = aws(aws_env, "cloudformation", "get-template", "--stack-name", "tictactoe-classic")["TemplateBody"]
    template = json.loads(template) if isinstance(template, str) else template
    in_stack = template["Resources"]["TaskDefinition"]["Properties"]
    rendered = json.load(open(os.path.join(ROOT, "build", "ecs", "classic-amd64.json")))
    assert in_stack["ExecutionRoleArn"] == {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:role/tictactoe-classic-execution"}
    assert rendered["executionRoleArn"] == f"arn:aws:iam::{ACCOUNT}:role/tictactoe-classic-execution"
    # The stack's image is its ImageDigest parameter (the release deployed) and it tags the release.
    container = in_stack["ContainerDefinitions"][0]
    assert container["Image"] == {"Fn::If": ["PinnedImage", {"Fn::Sub": f"{REPOSITORY}@${{ImageDigest}}"}, f"{REPOSITORY}:classic-amd64"]}
    assert in_stack["Tags"][-1] == {"Key": "tictactoe:release", "Value": {"Ref": "Release"}}
    in_stack = dict(in_stack, ContainerDefinitions=[dict(container, Image=rendered["containerDefinitions"][0]["image"])], Tags=in_stack["Tags"][:-1])
    assert lowered(in_stack, skip={"ExecutionRoleArn"}) == {k: v for k, v in rendered.items() if k != "executionRoleArn"}
    # And what ECS registered from the stack (as far as moto keeps it) carries the same container.
    arn = resources["TaskDefinition"]["PhysicalResourceId"]
    deployed = aws(aws_env, "ecs", "describe-task-definition", "--task-definition", arn)["taskDefinition"]
    assert deployed["family"] == "tictactoe-classic"
    # make deploy pinned the digest the variant's tag named, as a parameter of the stack.
    digest = aws(aws_env, "ecr", "describe-images", "--repository-name", "tictactoe", "--image-ids", "imageTag=classic")["imageDetails"][0]["imageDigest"]
    assert deployed["containerDefinitions"][0]["image"] == f"{REPOSITORY}@{digest}"
    assert rendered["containerDefinitions"][0]["image"] == f"{REPOSITORY}@{digest}"

    services = aws(aws_env, "ecs", "describe-services", "--cluster", "tictactoe-classic", "--services", "tictactoe-classic")["services"]
    assert services[0]["desiredCount"] == 1
    service = template["Resources"]["Service"]["Properties"]
    assert service["LaunchType"] == "FARGATE"  # moto's service keeps no launch type; the template does
    assert service["DeploymentConfiguration"]["DeploymentCircuitBreaker"] == {"Enable": True, "Rollback": True}

    diff = make(aws_env, "diff", "VARIANT=classic")
    assert "no changes" in diff.stdout, diff.stdout
    # A changed variant (in the test's copy of variants/) shows up in the diff before it is deployed.
    variant = os.path.join(aws_env["VARIANTS_DIR"], "classic.yaml")
    original = open(variant).read()
    try:
        open(variant, "w").write(original.replace("cpu: 256\n  memory: 512", "cpu: 512\n  memory: 1024"))
        changed = make(aws_env, "diff", "VARIANT=classic")
        assert '-        "Cpu": "256",' in changed.stdout and '+        "Cpu": "512",' in changed.stdout, changed.stdout
    finally:
        open(variant, "w").write(original)

    url = make(aws_env, "url", "VARIANT=classic")
    assert url.stdout == "no running task yet: try make url in a minute\n"

    # moto keeps the stack's log group, with no task to write to it.
    logs = make(aws_env, "logs", "VARIANT=classic")
    assert logs.stdout.strip() in ("", "None"), logs.stdout

    # One release deployed: nothing earlier to roll back to, and nothing is changed.
    rollback = make(aws_env, "rollback", "VARIANT=classic", "YES=1", check=False)
    assert rollback.returncode == 2 and "error: no earlier release to roll back to: make releases lists what was deployed" in rollback.stderr

    # moto 5.2 answers RunTask for Fargate with a 500, so only the plan is checked here.
    one_off = make(aws_env, "-n", "run-task", "VARIANT=classic")
    assert "ecs run-task --cluster tictactoe-classic --launch-type FARGATE --task-definition tictactoe-classic" in one_off.stdout
    assert "assignPublicIp=ENABLED" in one_off.stdout

    status = make(aws_env, "status", "VARIANT=classic")
    assert "tictactoe-classic" in status.stdout

    destroy = make(aws_env, "destroy", "VARIANT=classic", "YES=1", "WAIT=30", timeout=120)
    assert "deleted tictactoe-classic" in destroy.stdout
    gone = aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-classic", check=False)
    assert not isinstance(gone, dict) or gone["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"


def lowered(value, skip=frozenset()):
    """CloudFormation's spelling back to the ECS API's: first letter of each key lower-cased,
    except inside logConfiguration options, whose keys are literal."""
    if isinstance(value, list):
        return [lowered(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if key in skip:
                continue
            name = key[0].lower() + key[1:]
            out[name] = v if name == "options" else lowered(v)
        return out
    return value


def test_shows_plans_without_aws_changes(aws_env):
    plan = make(aws_env, "-n", "destroy", "VARIANT=perfect")
    assert "cloudformation delete-stack --stack-name tictactoe-perfect" in plan.stdout
    unknown = make(aws_env, "deploy", "VARIANT=nope", check=False)
    names = " ".join(sorted(name[:-5] for name in os.listdir(aws_env["VARIANTS_DIR"]) if name.endswith(".yaml")))
    assert f"error: no {aws_env['VARIANTS_DIR']}/nope.yaml; valid: {names}" in unknown.stderr


def test_verify_refuses_a_role_creating_stack_until_the_role_boundary_exists(aws_env):
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/tictactoe-role-boundary"
    # (Whether the image is pushed does not matter here: verify reports every check.)
    assert "ok   role boundary: tictactoe-role-boundary exists" in make(aws_env, "verify", "VARIANT=classic", check=False).stdout
    aws(aws_env, "iam", "delete-policy", "--policy-arn", boundary)
    try:
        refused = make(aws_env, "verify", "VARIANT=classic", check=False)
        assert refused.returncode != 0
        assert (f"FAIL role boundary: no policy tictactoe-role-boundary in account {ACCOUNT}: create it once with "
                "aws iam create-policy --policy-name tictactoe-role-boundary --policy-document file://iam/role-boundary.json") in refused.stdout
    finally:
        aws(aws_env, "iam", "create-policy", "--policy-name", "tictactoe-role-boundary",
            "--policy-document", f"file://{ROOT}/iam/role-boundary.json")


def test_the_deployer_may_create_roles_only_under_the_shipped_boundary():
    """The shipped policies, read as IAM reads them (their evaluation only real AWS can prove)."""
    deployer = json.load(open(os.path.join(ROOT, "iam/deployer-policy.json")))["Statement"]
    boundary = json.load(open(os.path.join(ROOT, "iam/role-boundary.json")))["Statement"]
    actions = lambda statement: statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
    allowed = {action: statement for statement in deployer if statement["Effect"] == "Allow" for action in actions(statement)}
    for creating in ("iam:CreateRole", "iam:PutRolePolicy"):
        assert allowed[creating]["Condition"] == {"ArnLike": {"iam:PermissionsBoundary": "arn:aws:iam::*:policy/tictactoe-role-boundary"}}
    # Roles go to tasks, and to ECS itself for moving a canary's traffic: to nothing else.
    assert allowed["iam:PassRole"]["Condition"] == {"StringEquals": {"iam:PassedToService": ["ecs-tasks.amazonaws.com", "ecs.amazonaws.com"]}}
    denied = {action for statement in deployer if statement["Effect"] == "Deny" for action in actions(statement)}
    assert {"iam:AttachRolePolicy", "iam:DeleteRolePermissionsBoundary", "iam:PutRolePermissionsBoundary",
            "iam:CreatePolicyVersion", "iam:DeletePolicy"} <= denied
    assert not any(action.startswith("iam:") and statement["Effect"] == "Allow" for statement in boundary for action in actions(statement))
    # The name the stack gives every role it creates is the one both files name.
    facts = run([BIN, "variant", "facts", os.path.join(ROOT, "variants/classic.yaml")]).stdout
    assert "ROLE_BOUNDARY='tictactoe-role-boundary'" in facts


def test_load_balanced_variant_deploys_with_a_readiness_checked_target_group(aws_env):
    push_fake_image(aws_env, "shared", ["amd64", "arm64"])
    assert "verify: ready to deploy shared (amd64)" in make(aws_env, "verify", "VARIANT=shared").stdout
    deploy = make(aws_env, "deploy", "VARIANT=shared", "YES=1", "WAIT=3", check=False, timeout=300)
    output = deploy.stdout + deploy.stderr
    assert deploy.returncode == 2 and "error: not stable within 3s (0/3 tasks running" in output, output
    # The stack's events as they happen: time, resource, type, status (moto records the stack's own
    # events only, not each resource's).
    events = [line.split()[1:4] for line in deploy.stdout.splitlines() if line.startswith("  ") and "AWS::" in line]
    assert events == [["tictactoe-shared", "AWS::CloudFormation::Stack", status]
                      for status in ("REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE")], deploy.stdout
    resources = {r["LogicalResourceId"]: r for r in aws(aws_env, "cloudformation", "list-stack-resources", "--stack-name", "tictactoe-shared")["StackResourceSummaries"]}
    assert {"LoadBalancer", "TargetGroup", "Listener", "LoadBalancerSecurityGroup", "Service"} <= resources.keys()
    groups = aws(aws_env, "elbv2", "describe-target-groups", "--target-group-arns", resources["TargetGroup"]["PhysicalResourceId"])["TargetGroups"]
    assert (groups[0]["HealthCheckPath"], groups[0]["Port"], groups[0]["TargetType"]) == ("/readyz", 8000, "ip")
    service_group = aws(aws_env, "ec2", "describe-security-groups", "--group-ids", resources["ServiceSecurityGroup"]["PhysicalResourceId"])["SecurityGroups"][0]
    rule = service_group["IpPermissions"][0]
    assert (rule["FromPort"], rule["UserIdGroupPairs"][0]["GroupId"]) == (8000, resources["LoadBalancerSecurityGroup"]["PhysicalResourceId"])
    url = make(aws_env, "url", "VARIANT=shared")
    assert url.stdout.strip().splitlines()[-1].startswith("http://")
    destroy = make(aws_env, "destroy", "VARIANT=shared", "YES=1", "WAIT=30", timeout=120)
    assert "deleted tictactoe-shared" in destroy.stdout


def test_production_variant_deploys_updates_and_destroys_with_https_scaling_and_alarms(aws_env_two_tasks_running):
    """`variants/production.yaml` as a user runs it, on moto (a moto of its own, whose services
    report the two tasks production wants running, so that the deploy becomes stable and plays its
    smoke game): its certificate and hosted zone are made in moto first and written into the
    test's copy of the variant."""
    aws_env = aws_env_two_tasks_running
    certificate = aws(aws_env, "acm", "request-certificate", "--domain-name", "tictactoe.example.com",
                      "--validation-method", "DNS")["CertificateArn"]
    zone = aws(aws_env, "route53", "create-hosted-zone", "--name", "example.com", "--caller-reference",
               "tictactoe-test")["HostedZone"]["Id"].split("/")[-1]
    path = os.path.join(aws_env["VARIANTS_DIR"], "production.yaml")
    original = open(path).read()
    variant = re.sub(r"certificate_arn: \S+", f"certificate_arn: {certificate}", original)
    variant = re.sub(r"hosted_zone_id: \S+", f"hosted_zone_id: {zone}", variant)
    # moto's CloudFormation makes RDS instances but not Aurora clusters (nor the secret): here the
    # database is an instance; the Aurora template is checked by cfn-lint and the unit tests.
    assert "kind: aurora-serverless" in variant
    variant = re.sub(r"  database:\n(    .*\n)+", "  database: {kind: instance, engine_version: 16}\n", variant)
    open(path, "w").write(variant)
    push_fake_image(aws_env, "production", ["amd64", "arm64"])
    verify = make(aws_env, "verify", "VARIANT=production").stdout
    assert "verify: ready to deploy production (arm64)" in verify
    assert f"ok   certificate: {certificate} covers tictactoe.example.com" in verify, verify
    deploy = make(aws_env, "deploy", "VARIANT=production", "YES=1", "WAIT=3", check=False, timeout=300)
    output = deploy.stdout + deploy.stderr
    # moto reports this service's tasks running: the deploy is proven by a smoke game.
    assert deploy.returncode == 0, output
    # The address is the stack's own: the certificate's domain over HTTPS, never the balancer's name.
    assert "stable: 2/2 tasks running" in output and "play at: https://tictactoe.example.com/\n" in output
    assert make(aws_env, "url", "VARIANT=production").stdout.strip().splitlines()[-1] == "https://tictactoe.example.com/"
    assert "smoke: played game " in output and f": 3×3, 5 moves, X won at {aws_env['SMOKE_URL']}" in output

    stacks = aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-production")["Stacks"]
    assert stacks[0]["StackStatus"] in ("CREATE_COMPLETE", "UPDATE_COMPLETE")
    resources = {r["LogicalResourceId"]: r for r in aws(aws_env, "cloudformation", "list-stack-resources",
                                                         "--stack-name", "tictactoe-production")["StackResourceSummaries"]}
    # What moto models, checked on its objects: both listeners.
    listeners = aws(aws_env, "elbv2", "describe-listeners", "--load-balancer-arn",
                    resources["LoadBalancer"]["PhysicalResourceId"])["Listeners"]
    by_port = {listener["Port"]: listener for listener in listeners}
    assert by_port[443]["Protocol"] == "HTTPS"
    assert by_port[443]["Certificates"][0]["CertificateArn"] == certificate
    assert by_port[443]["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert by_port[80]["DefaultActions"][0]["Type"] == "redirect"
    assert by_port[80]["DefaultActions"][0]["RedirectConfig"]["StatusCode"] == "HTTP_301"

    # The deployed template, key for key against what the variant says.
    def deployed(section="Resources"):
        body = aws(aws_env, "cloudformation", "get-template", "--stack-name", "tictactoe-production")["TemplateBody"]
        return (json.loads(body) if isinstance(body, str) else body)[section]
    template = deployed()
    assert deployed("Outputs")["URL"]["Value"] == "https://tictactoe.example.com/"
    assert template["DomainRecord"]["Properties"]["Name"] == "tictactoe.example.com"
    assert template["DomainRecord"]["Properties"]["HostedZoneId"] == zone
    assert (template["ScalableTarget"]["Properties"]["MinCapacity"], template["ScalableTarget"]["Properties"]["MaxCapacity"]) == (2, 6)
    assert template["CPUScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 60
    assert template["RequestsScalingPolicy"]["Properties"]["TargetTrackingScalingPolicyConfiguration"]["TargetValue"] == 1000
    assert template["Target5xxAlarm"]["Properties"]["Threshold"] == 10
    assert template["UnhealthyHostsAlarm"]["Properties"]["Threshold"] == 1
    deployment = template["Service"]["Properties"]["DeploymentConfiguration"]
    assert deployment["Alarms"] == {"AlarmNames": [{"Ref": name} for name in ("Target5xxAlarm", "UnhealthyHostsAlarm", "AlternateTarget5xxAlarm",
                                                                                "AlternateUnhealthyHostsAlarm")], "Enable": True, "Rollback": True}
    # A canary: 10% of the traffic for 5 minutes, then all of it, watched by the alarms for 10 more.
    assert (deployment["Strategy"], deployment["CanaryConfiguration"], deployment["BakeTimeInMinutes"]) == (
        "CANARY", {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 5}, 10)
    advanced = template["Service"]["Properties"]["LoadBalancers"][0]["AdvancedConfiguration"]
    assert advanced == {"AlternateTargetGroupArn": {"Ref": "AlternateTargetGroup"}, "ProductionListenerRule": {"Ref": "ServingRule"},
                        "RoleArn": {"Fn::GetAtt": ["LoadBalancerRole", "Arn"]}}
    # What moto models of it: the rule on the HTTPS listener that ECS reweights, all to the first group at rest.
    rules = aws(aws_env, "elbv2", "describe-rules", "--listener-arn", by_port[443]["ListenerArn"])["Rules"]
    serving = next(rule for rule in rules if rule["Priority"] == "1")
    groups = serving["Actions"][0]["ForwardConfig"]["TargetGroups"]
    assert [(g["TargetGroupArn"], g["Weight"]) for g in groups] == [
        (resources["TargetGroup"]["PhysicalResourceId"], 100), (resources["AlternateTargetGroup"]["PhysicalResourceId"], 0)]
    traffic_role = aws(aws_env, "iam", "get-role", "--role-name", "tictactoe-production-traffic")["Role"]
    assert traffic_role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs.amazonaws.com"}
    assert template["Service"]["Properties"]["EnableExecuteCommand"] is True
    assert template["Cluster"]["Properties"]["ClusterSettings"] == [{"Name": "containerInsights", "Value": "enabled"}]
    environment = template["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]["Environment"]
    assert {"Name": "BEHIND_HTTPS", "Value": "true"} in environment

    # Raising max tasks: the diff shows it, the update applies it.
    open(path, "w").write(variant.replace("max: 6", "max: 8"))
    diff = make(aws_env, "diff", "VARIANT=production")
    assert '-        "MaxCapacity": 6,' in diff.stdout and '+        "MaxCapacity": 8,' in diff.stdout, diff.stdout
    # CloudFormation's own change set too (moto's lists every resource and no replacement).
    assert "CloudFormation's change set (action, resource, type, replacement):" in diff.stdout
    assert re.search(r"^  \w+ +ScalableTarget +AWS::ApplicationAutoScaling::ScalableTarget +replacement: ", diff.stdout, re.M), diff.stdout
    # A smoke game that finds nothing fails the deploy, with what it got.
    dead = f"http://127.0.0.1:{free_port()}"
    update = make(dict(aws_env, SMOKE_URL=dead, SMOKE_WAIT="2"), "deploy", "VARIANT=production", "YES=1", "WAIT=3", check=False, timeout=400)
    assert update.returncode != 0
    assert f"smoke: FAILED at {dead}: GET /healthz: expected HTTP 200, got no answer: " in update.stderr
    assert "error: production is deployed but did not play a game" in update.stderr
    assert deployed()["ScalableTarget"]["Properties"]["MaxCapacity"] == 8
    assert "no changes" in make(aws_env, "diff", "VARIANT=production").stdout

    role = aws(aws_env, "iam", "get-role", "--role-name", "tictactoe-production-execution")["Role"]
    assert role["PermissionsBoundary"]["PermissionsBoundaryArn"] == f"arn:aws:iam::{ACCOUNT}:policy/tictactoe-role-boundary"
    instances = aws(aws_env, "rds", "describe-db-instances", "--region", REGION, "--endpoint-url", aws_env["AWS_ENDPOINT_URL"])["DBInstances"]
    assert [(i["Engine"], i["StorageEncrypted"], i["PubliclyAccessible"]) for i in instances] == [("postgres", True, False)]
    # The database's subnets are its own: the two highest free /27 blocks of the default VPC, picked
    # on the first deploy and kept by the update, whose route table has only the VPC's local route.
    parameters = aws(aws_env, "cloudformation", "describe-stacks", "--stack-name", "tictactoe-production")["Stacks"][0]["Parameters"]
    blocks = next(p["ParameterValue"] for p in parameters if p["ParameterKey"] == "DatabaseSubnetCidrs")
    assert blocks == "172.31.255.224/27,172.31.255.192/27"
    subnet_ids = [s["SubnetIdentifier"] for s in instances[0]["DBSubnetGroup"]["Subnets"]]
    subnets = aws(aws_env, "ec2", "describe-subnets", "--subnet-ids", *subnet_ids)["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == sorted(blocks.split(","))
    assert len({s["AvailabilityZone"] for s in subnets}) == 2
    table = aws(aws_env, "ec2", "describe-route-tables", "--route-table-ids",
                resources["DatabaseRouteTable"]["PhysicalResourceId"])["RouteTables"][0]
    # (moto makes the associations but does not list them on the table: the template's pairing is
    # checked by the unit tests.)
    assert {"DatabaseSubnetARoutes", "DatabaseSubnetBRoutes"} <= resources.keys()
    assert [route.get("GatewayId") for route in table["Routes"]] == ["local"], table["Routes"]
    destroy = make(aws_env, "destroy", "VARIANT=production", "YES=1", "WAIT=30", timeout=120)
    assert "the database (instance) is deleted after a final snapshot (deploy.database.on_delete: snapshot), named after the stack tictactoe-production" in destroy.stdout
    assert "deleted tictactoe-production" in destroy.stdout

    # A domain the certificate does not name is caught before anything is deployed.
    open(path, "w").write(variant.replace("domain: tictactoe.example.com", "domain: other.example.org"))
    refused = make(aws_env, "verify", "VARIANT=production", check=False)
    assert refused.returncode != 0
    assert f"FAIL certificate: {certificate} does not cover other.example.org (it names: tictactoe.example.com" in refused.stdout, refused.stdout


@pytest.mark.parametrize("version", ["1.2;touch build/version-ran", "a b", "v1`id`", "it's", ""])
def test_make_refuses_a_version_no_shell_may_see_before_running_anything(version):
    import subprocess
    result = subprocess.run(["make", "-s", "print-version", f"VERSION={version}"], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2 and result.stdout == ""
    assert f"VERSION '{version}' may hold only letters, digits and . _ + - (one word)" in result.stderr
    assert not os.path.exists(os.path.join(ROOT, "build/version-ran"))
