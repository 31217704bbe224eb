import Config
import Testing

@testable import Deploy

/// The parts of the stack that the on-call commands rely on: ECS Exec, canary and linear
/// deployments, the release parameters, the schedule and the dashboard.
@Suite struct StackOperationsTests {
    func template(_ deploy: String, backend: String = "memory", metrics: String = "emf") throws -> StackTemplate {
        StackTemplate(
            task: try renderedTask("server: {metrics: {format: \(metrics)}}\nstate: {backend: \(backend)}\ndeploy: \(deploy)\n", variant: "demo")
        )
    }

    @Test func execIsOffUnlessAskedAndThenReachesTheServiceTheClusterTheRoleAndTheContainer() throws {
        let off = try template("{}")
        #expect(off.execResources.isEmpty)
        #expect(off.json.field("Resources")?.field("Service")?.field("Properties")?.field("EnableExecuteCommand") == nil)
        #expect(off.task.registrationJSON.field("taskRoleArn") == nil)

        let on = try template("{exec: true}")
        let resources = try #require(on.json.field("Resources"))
        #expect(resources.field("Service")?.field("Properties")?.field("EnableExecuteCommand") == .bool(true))
        let logging = resources.field("Cluster")?.field("Properties")?.field("Configuration")?.field("ExecuteCommandConfiguration")
        #expect(logging?.field("Logging") == .string("OVERRIDE"))
        #expect(logging?.field("LogConfiguration")?.field("CloudWatchLogGroupName") == .object([("Ref", .string("LogGroup"))]))
        let role = try #require(resources.field("TaskRole")?.field("Properties"))
        #expect(role.field("RoleName") == .string("tictactoe-demo-task"))
        #expect(
            role.field("PermissionsBoundary")
                == .object([("Fn::Sub", .string("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/tictactoe-role-boundary"))])
        )
        let statements = role.field("Policies")?.element(0)?.field("PolicyDocument")?.field("Statement")
        #expect(
            statements?.element(0)?.field("Action")
                == .array(
                    [
                        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel",
                        "ssmmessages:OpenDataChannel",
                    ]
                    .map(JSON.string)
                )
        )
        let taskDefinition = try #require(resources.field("TaskDefinition")?.field("Properties"))
        #expect(taskDefinition.field("TaskRoleArn") == .object([("Fn::GetAtt", .array([.string("TaskRole"), .string("Arn")]))]))
        // The root stays read-only: the agent's folders are volumes; an init process reaps sessions.
        let container = try #require(on.task.container.field("linuxParameters"))
        #expect(container.field("initProcessEnabled") == .bool(true))
        #expect(on.task.container.field("readonlyRootFilesystem") == .bool(true))
        let mounts = on.task.registrationJSON.field("containerDefinitions")?.element(0)?.field("mountPoints")
        #expect(
            mounts
                == .array(
                    [
                        ("tmp", "/tmp"), ("exec-managed-agents", "/managed-agents"), ("exec-var-lib-amazon-ssm", "/var/lib/amazon/ssm"),
                        ("exec-var-log-amazon-ssm", "/var/log/amazon/ssm"),
                    ]
                    .map { .object([("sourceVolume", .string($0.0)), ("containerPath", .string($0.1)), ("readOnly", .bool(false))]) }
                )
        )
        #expect(on.task.registrationJSON.field("taskRoleArn") == .string("arn:aws:iam::123456789012:role/tictactoe-demo-task"))
    }

    @Test func aVariantsOwnTaskRoleIsUsedAndNotChanged() throws {
        let arn = "arn:aws:iam::123456789012:role/mine"
        let stack = try template("{exec: true, task_role_arn: \"\(arn)\"}")
        #expect(stack.execResources.isEmpty)
        #expect(stack.json.field("Resources")?.field("TaskDefinition")?.field("Properties")?.field("TaskRoleArn") == .string(arn))
    }

    @Test func aCanaryShiftsTrafficThroughARuleAndASecondTargetGroupWatchedByItsOwnAlarms() throws {
        let stack = try template(
            "{load_balancer: true, desired_count: 2, alarms: {target_5xx_per_minute: 5}, strategy: {kind: canary, percent: 12.5, step_bake_min: 4, bake_min: 15}}",
            backend: "postgres"
        )
        #expect(stack.deploymentResources.map(\.0) == ["AlternateTargetGroup", "ServingRule", "LoadBalancerRole"])
        let service = try #require(stack.json.field("Resources")?.field("Service")?.field("Properties"))
        let deployment = try #require(service.field("DeploymentConfiguration"))
        #expect(deployment.field("Strategy") == .string("CANARY"))
        #expect(deployment.field("BakeTimeInMinutes") == .int(15))
        #expect(deployment.field("CanaryConfiguration") == .object([("CanaryPercent", .tenths(125)), ("CanaryBakeTimeInMinutes", .int(4))]))
        #expect(
            deployment.field("Alarms")?.field("AlarmNames")
                == .array(
                    ["Target5xxAlarm", "UnhealthyHostsAlarm", "AlternateTarget5xxAlarm", "AlternateUnhealthyHostsAlarm"].map {
                        .object([("Ref", .string($0))])
                    }
                )
        )
        let advanced = service.field("LoadBalancers")?.element(0)?.field("AdvancedConfiguration")
        #expect(advanced?.field("AlternateTargetGroupArn") == .object([("Ref", .string("AlternateTargetGroup"))]))
        #expect(advanced?.field("ProductionListenerRule") == .object([("Ref", .string("ServingRule"))]))
        let rule = stack.deploymentResources[1].1.field("Properties")
        #expect(rule?.field("ListenerArn") == .object([("Ref", .string("Listener"))]))
        let groups = rule?.field("Actions")?.element(0)?.field("ForwardConfig")?.field("TargetGroups")
        #expect(groups?.element(0)?.field("Weight") == .int(100))
        #expect(groups?.element(1)?.field("Weight") == .int(0))
        let names = stack.json.field("Resources")?.field("AlternateTarget5xxAlarm")?.field("Properties")?.field("AlarmName")
        #expect(names == .string("tictactoe-demo-alternate-target-5xx"))
        #expect(stack.deploy.strategy.summary == "canary: 12.5% for 4 min, then all; bake 15 min")
    }

    @Test func aLinearDeploymentStepsAndARollingOneAddsNothing() throws {
        let linear = try template("{load_balancer: true, strategy: {kind: linear, percent: 20, step_bake_min: 3}}")
        let deployment = linear.json.field("Resources")?.field("Service")?.field("Properties")?.field("DeploymentConfiguration")
        #expect(deployment?.field("Strategy") == .string("LINEAR"))
        #expect(deployment?.field("LinearConfiguration") == .object([("StepPercent", .tenths(200)), ("StepBakeTimeInMinutes", .int(3))]))
        #expect(deployment?.field("BakeTimeInMinutes") == .int(10))
        #expect(linear.deploy.strategy.minutesToComplete == 4 * 3 + 10)

        let rolling = try template("{load_balancer: true}")
        #expect(rolling.deploymentResources.isEmpty)
        #expect(rolling.json.field("Resources")?.field("Service")?.field("Properties")?.field("DeploymentConfiguration")?.field("Strategy") == nil)
    }

    @Test func theImageIsTheDigestParameterWhenSetElseTheMovingTag() throws {
        let stack = try template("{}")
        let parameters = try #require(stack.json.field("Parameters"))
        #expect(parameters.field("ImageDigest")?.field("Default") == .string(""))
        #expect(parameters.field("Release")?.field("Default") == .string("unreleased"))
        let image = stack.json.field("Resources")?.field("TaskDefinition")?.field("Properties")?.field("ContainerDefinitions")?.element(0)?.field(
            "Image"
        )
        #expect(
            image
                == .object([
                    (
                        "Fn::If",
                        .array([
                            .string("PinnedImage"), .object([("Fn::Sub", .string("r/tictactoe@${ImageDigest}"))]), .string("r/tictactoe:demo-amd64"),
                        ])
                    )
                ])
        )
        let tags = stack.json.field("Resources")?.field("TaskDefinition")?.field("Properties")?.field("Tags")
        #expect(tags?.element(2) == .object([("Key", .string("tictactoe:release")), ("Value", .object([("Ref", .string("Release"))]))]))
    }

    @Test func aScheduleScalesToZeroOutsideItsHoursAndBackToTheBounds() throws {
        let stack = try template("{desired_count: 1, schedule: {days: mon-fri, hours: 7-19, timezone: Europe/Berlin}}")
        let target = try #require(stack.scalingResources.first?.1.field("Properties"))
        #expect(stack.scalingResources.map(\.0) == ["ScalableTarget"])
        #expect(target.field("MinCapacity") == .int(1))
        #expect(
            target.field("ScheduledActions")
                == .array([
                    .object([
                        ("ScheduledActionName", .string("tictactoe-demo-start")), ("Schedule", .string("cron(0 7 ? * MON-FRI *)")),
                        ("Timezone", .string("Europe/Berlin")),
                        ("ScalableTargetAction", .object([("MinCapacity", .int(1)), ("MaxCapacity", .int(1))])),
                    ]),
                    .object([
                        ("ScheduledActionName", .string("tictactoe-demo-stop")), ("Schedule", .string("cron(0 19 ? * MON-FRI *)")),
                        ("Timezone", .string("Europe/Berlin")),
                        ("ScalableTargetAction", .object([("MinCapacity", .int(0)), ("MaxCapacity", .int(0))])),
                    ]),
                ])
        )
        #expect(stack.deploy.schedule?.hoursOnPerWeek == 60)
    }

    @Test func theDashboardPlotsTheGameOnlyWhenTheServerWritesMetrics() throws {
        let titles = { (stack: StackTemplate) in stack.dashboardWidgets.map(\.title) }
        #expect(
            titles(try template("{load_balancer: true, database: {kind: aurora-serverless}}", backend: "postgres"))
                == [
                    "Games started", "Moves", "Move latency (ms)", "Refusals by reason", "5xx answers", "Healthy tasks", "CPU and memory (%)",
                    "Database connections", "Database capacity (ACU)",
                ]
        )
        #expect(titles(try template("{}", metrics: "off")) == ["Running tasks", "CPU and memory (%)"])
        let body = try template("{}").dashboardResources[0].1.field("Properties")?.field("DashboardBody")?.field("Fn::Sub")
        guard case .string(let text) = body?.element(0) else {
            Issue.record("no dashboard body")
            return
        }
        #expect(text.contains(#"SEARCH('{tictactoe,opponent} MetricName=\"tictactoe.games.created\"', 'Sum', 60)"#))
        #expect(text.contains(#""http.server.request.duration""#) && text.contains(#""/api/games/{id}/moves""#))
    }
}
