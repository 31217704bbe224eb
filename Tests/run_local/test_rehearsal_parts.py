"""The rehearsal's parts read from rendered stacks, without Docker: the balancer's configuration
from the target group and listeners (HAProxy checks it), the task's environment and secrets with
the stack's references resolved locally, and the URL and smoke arguments of an HTTPS variant."""
import json
import os
import subprocess

import pytest
from conftest import RELEASE_BIN, ROOT

VARIANT_NAMES = " ".join(sorted(name[:-5] for name in os.listdir(os.path.join(ROOT, "variants")) if name.endswith(".yaml")))
from run_local.rehearsal import Refused, Rehearsal, render


@pytest.fixture
def rendered(tmp_path):
    def make(variant):
        local = Rehearsal(variant, os.path.join(ROOT, "variants"), str(tmp_path))
        render(local, RELEASE_BIN, "amd64", "tictactoe")
        return local
    return make


def test_the_balancer_is_configured_from_the_target_group_and_listeners(rendered, tmp_path):
    local = rendered("production")
    group = local.stack.target_group
    certificate = tmp_path / "balancer.pem"
    local.authority.ensure()
    crt, key = local.authority.issue("balancer", ["tictactoe.example.com", local.balancer_address])
    certificate.write_text(open(crt).read() + open(key).read())
    local.balancer.write_config(local.stack, str(certificate))
    config = open(local.balancer.config).read()
    assert f"  option httpchk GET {group['HealthCheckPath']}\n" in config
    assert (f"  default-server check inter {group['HealthCheckIntervalSeconds']}s rise {group['HealthyThresholdCount']} "
            f"fall {group['UnhealthyThresholdCount']} source {local.balancer_address}\n") in config
    assert f"  bind {local.balancer_address}:443 ssl crt {certificate} ssl-min-ver TLSv1.2\n" in config
    # Port 80 only redirects, as the ALB's listener does.
    port80 = config.split("frontend listener-80\n")[1].split("frontend ")[0]
    assert "http-request redirect scheme https code 301" in port80 and "default_backend" not in port80
    assert f"  server-template target 1-{local.slots} 127.0.0.1:1 disabled\n" in config
    checked = subprocess.run(["haproxy", "-c", "-f", local.balancer.config], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_task_gets_the_stacks_environment_with_local_values_and_the_secrets_keys(rendered):
    local = rendered("shared")
    settings = local.container_settings(local.task_address(1))
    environment = settings["environment"]
    secret = json.load(open(local.path("database-secret.json")))
    assert environment["PGHOST"] == local.database_address and environment["PGPORT"] == "5432"
    assert environment["PGSSLMODE"] == "verify-full" and environment["HOST"] == local.task_address(1)
    assert environment["TRUSTED_PROXIES"] == f"{local.balancer_address}/32"
    assert (environment["PGUSER"], environment["PGPASSWORD"]) == (secret["username"], secret["password"])
    assert oct(os.stat(local.path("database-secret.json")).st_mode & 0o777) == "0o600"
    container = local.stack.container
    assert settings["user"] == container["User"] and settings["read_only"] is True
    assert settings["cap_drop"] == ["ALL"] and settings["network_mode"] == "host"
    assert settings["mem_limit"] == f"{local.stack.task['Memory']}m"
    assert settings["nano_cpus"] == int(local.stack.task["Cpu"]) * 10**9 // 1024
    assert settings["healthcheck"]["test"] == container["HealthCheck"]["Command"]
    mounts = {mount["Target"]: mount for mount in settings["mounts"]}
    assert mounts["/tmp"]["Type"] == "tmpfs"
    assert mounts[environment["PGSSLROOTCERT"]]["Source"] == local.authority.cert and mounts[environment["PGSSLROOTCERT"]]["ReadOnly"]


def test_an_https_variant_is_played_at_its_domain_through_the_local_balancer(rendered):
    local = rendered("production")
    assert local.url() == "https://tictactoe.example.com/"
    assert local.smoke_arguments() == ["https://tictactoe.example.com/", "--resolve", f"tictactoe.example.com:443:{local.balancer_address}",
                                       "--cacert", local.authority.cert]
    assert rendered("classic").url().startswith(f"http://{rendered('classic').balancer_address}")


def test_the_task_runs_the_image_the_stacks_parameters_choose(rendered):
    """The stack names its image through the ImageDigest parameter: unset, the variant's tag; with
    production's ECS Exec volumes, every mount is a task-owned tmpfs, the root stays read-only."""
    local = rendered("production")
    assert local.stack.image == "tictactoe:production-amd64"
    local.stack.template["Parameters"]["ImageDigest"]["Default"] = "sha256:" + "ab" * 32
    assert local.stack.image == "tictactoe@sha256:" + "ab" * 32
    settings = local.container_settings(local.task_address(1))
    assert [m["Target"] for m in settings["mounts"]][:4] == ["/tmp", "/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]
    assert all(m["Type"] == "tmpfs" for m in settings["mounts"][:4]) and settings["read_only"] is True


def test_a_secret_the_rehearsal_cannot_stand_in_for_is_named_with_where_to_put_it(rendered):
    local = rendered("shared")
    local.stack.container["Secrets"].append({"Name": "API_KEY", "ValueFrom": "arn:aws:ssm:us-east-1:1:parameter/key"})
    with pytest.raises(Refused) as refused:
        local.container_settings(local.task_address(1))
    assert str(refused.value) == (f"the task reads API_KEY from arn:aws:ssm:us-east-1:1:parameter/key: put its value in {local.path('secrets.json')} "
                                  "as {\"arn:aws:ssm:us-east-1:1:parameter/key\": \"…\"} (it stands in for Secrets Manager and SSM)")


def test_an_unknown_variant_is_refused_with_the_valid_names(tmp_path):
    with pytest.raises(Refused) as refused:
        Rehearsal("nope", os.path.join(ROOT, "variants"), str(tmp_path))
    assert str(refused.value) == f"unknown VARIANT 'nope'; valid: {VARIANT_NAMES}"
