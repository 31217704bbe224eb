"""The parts of a rendered stack (`tictactoe stack`, the template `make deploy` sends) that a local
rehearsal runs: the task definition's container, the service's deployment rules, the target
group's health check, the load balancer's listeners and the URL output. Values the template
leaves to CloudFormation (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::If`) are resolved from local facts
and the parameters' defaults."""
import json
import math
import re


class StackError(Exception):
    pass


def _of_type(resources, kind):
    return [(name, body["Properties"]) for name, body in resources.items() if body.get("Type") == kind]


class Stack:
    def __init__(self, path):
        try:
            self.template = json.load(open(path))
        except (OSError, ValueError) as error:
            raise StackError(f"cannot read the rendered stack {path}: {error}")
        self.resources = self.template.get("Resources", {})
        tasks = _of_type(self.resources, "AWS::ECS::TaskDefinition")
        services = _of_type(self.resources, "AWS::ECS::Service")
        if len(tasks) != 1 or len(services) != 1:
            raise StackError(f"{path} holds {len(tasks)} task definitions and {len(services)} services, not one of each")
        self.task = tasks[0][1]
        self.container = self.task["ContainerDefinitions"][0]
        self.service = services[0][1]
        groups = _of_type(self.resources, "AWS::ElasticLoadBalancingV2::TargetGroup")
        self.target_group = groups[0][1] if groups else None
        balancers = _of_type(self.resources, "AWS::ElasticLoadBalancingV2::LoadBalancer")
        self.load_balancer = balancers[0][1] if balancers else None
        self.listeners = [props for _, props in _of_type(self.resources, "AWS::ElasticLoadBalancingV2::Listener")]
        self.database = next((name for name, body in self.resources.items()
                              if body.get("Type") in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster")), None)

    # The service's rules.
    @property
    def desired_count(self):
        return int(self.service.get("DesiredCount", 1))

    @property
    def deployment(self):
        config = self.service.get("DeploymentConfiguration", {})
        breaker = config.get("DeploymentCircuitBreaker", {})
        return {"minimum_percent": int(config.get("MinimumHealthyPercent", 100)),
                "maximum_percent": int(config.get("MaximumPercent", 200)),
                "circuit_breaker": bool(breaker.get("Enable", False)),
                "rollback": bool(breaker.get("Rollback", False))}

    @property
    def failure_threshold(self):
        """ECS's circuit breaker: half the desired count, at least 3 and at most 200 failed tasks."""
        return min(200, max(3, math.ceil(self.desired_count / 2)))

    @property
    def grace_seconds(self):
        return int(self.service.get("HealthCheckGracePeriodSeconds", 0))

    # The target group's and balancer's settings, with ALB's defaults where the stack sets none.
    def target_attribute(self, key, default):
        for attribute in (self.target_group or {}).get("TargetGroupAttributes", []):
            if attribute["Key"] == key:
                return attribute["Value"]
        return default

    def balancer_attribute(self, key, default):
        for attribute in (self.load_balancer or {}).get("LoadBalancerAttributes", []):
            if attribute["Key"] == key:
                return attribute["Value"]
        return default

    @property
    def health_check(self):
        group = self.target_group or {}
        return {"path": group.get("HealthCheckPath", "/"),
                "interval": int(group.get("HealthCheckIntervalSeconds", 30)),
                "timeout": int(group.get("HealthCheckTimeoutSeconds", 5)),
                "rise": int(group.get("HealthyThresholdCount", 5)),
                "fall": int(group.get("UnhealthyThresholdCount", 2)),
                "status": str(group.get("Matcher", {}).get("HttpCode", "200"))}

    @property
    def deregistration_delay(self):
        return int(self.target_attribute("deregistration_delay.timeout_seconds", "300"))

    @property
    def idle_timeout(self):
        return int(self.balancer_attribute("idle_timeout.timeout_seconds", "60"))

    @property
    def container_port(self):
        return int(self.container["PortMappings"][0]["ContainerPort"])

    def listener_ports(self):
        """(port, protocol, redirects to HTTPS) of each listener."""
        found = []
        for listener in self.listeners:
            actions = listener.get("DefaultActions", [])
            redirect = any(action.get("Type") == "redirect" for action in actions)
            found.append((int(listener["Port"]), listener["Protocol"], redirect))
        return sorted(found)

    @property
    def image(self):
        """The image the task definition names as deployed with the parameters' defaults (the
        variant's tag, unless the template was rendered with a digest)."""
        return self.resolve(self.container["Image"], {})

    def resolve(self, value, facts):
        """A template value with its Ref, Fn::GetAtt, Fn::Sub and Fn::If replaced from `facts`, which
        maps names such as `Database.Endpoint.Address` or `TrustedProxyCidrs` to local values, and
        from the template's parameters' defaults."""
        if isinstance(value, (str, int, float)):
            return str(value)
        if isinstance(value, dict) and len(value) == 1:
            (function, argument), = value.items()
            if function == "Ref":
                return self._fact(argument, facts)
            if function == "Fn::GetAtt":
                return self._fact(".".join(argument), facts)
            if function == "Fn::Sub" and isinstance(argument, str):
                return re.sub(r"\$\{([^}]+)\}", lambda match: self._fact(match.group(1), facts), argument)
            if function == "Fn::If" and isinstance(argument, list) and len(argument) == 3:
                return self.resolve(argument[1] if self._holds(argument[0], facts) else argument[2], facts)
        raise StackError(f"cannot run {json.dumps(value)} locally: no local value for it")

    def _holds(self, condition, facts):
        """Whether the template's condition `condition` (Fn::Equals, Fn::Not, Condition) holds."""
        definition = self.template.get("Conditions", {}).get(condition) if isinstance(condition, str) else condition
        if isinstance(definition, dict) and len(definition) == 1:
            (function, argument), = definition.items()
            if function == "Fn::Equals":
                return self.resolve(argument[0], facts) == self.resolve(argument[1], facts)
            if function == "Fn::Not":
                return not self._holds(argument[0], facts)
            if function == "Condition":
                return self._holds(argument, facts)
        raise StackError(f"cannot decide the condition {json.dumps(condition)} locally")

    def _fact(self, name, facts):
        if name in facts:
            return facts[name]
        parameter = self.template.get("Parameters", {}).get(name)
        if parameter is not None and "Default" in parameter:
            return str(parameter["Default"])
        raise StackError(f"the stack refers to {name}, which a local rehearsal does not make")

    def url(self, facts):
        output = self.template.get("Outputs", {}).get("URL")
        return self.resolve(output["Value"], facts) if output else None
