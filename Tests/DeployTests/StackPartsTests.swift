import Config
import Testing

@testable import Deploy

/// Each part of the stack on its own (`StackTemplate+Cluster.swift`, `+LoadBalancer`, …): what it
/// adds for the deploy keys that concern it, by logical id and in order.
@Suite struct StackPartsTests {
    func template(_ deploy: String, backend: String = "memory") throws -> StackTemplate {
        StackTemplate(task: try renderedTask("state: {backend: \(backend)}\ndeploy: \(deploy)\n", variant: "demo"))
    }

    @Test func theClusterPartMakesTheLogGroupClusterAndExecutionRole() throws {
        let parts = try template("{log_retention_days: 7}").clusterResources
        #expect(parts.map(\.0) == ["LogGroup", "Cluster", "ExecutionRole"])
        #expect(parts[0].1.field("Properties")?.field("LogGroupName") == .string("/ecs/tictactoe-demo"))
        #expect(parts[0].1.field("Properties")?.field("RetentionInDays") == .int(7))
        let role = try #require(parts[2].1.field("Properties"))
        #expect(role.field("RoleName") == .string("tictactoe-demo-execution"))
        // No managed policy: pulling the variant's own image and writing its own log group only,
        // under the boundary a deployer must give every role it creates.
        #expect(role.field("ManagedPolicyArns") == nil)
        #expect(
            role.field("PermissionsBoundary")
                == .object([("Fn::Sub", .string("arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/tictactoe-role-boundary"))])
        )
        // (The tests' image repository, r/tictactoe, is not in ECR: nothing to pull from ECR.)
        let pullAndLog = JSON.array([
            .object([
                ("Effect", .string("Allow")),
                ("Action", .array([.string("logs:CreateLogStream"), .string("logs:PutLogEvents")])),
                ("Resource", .array([.object([("Fn::GetAtt", .array([.string("LogGroup"), .string("Arn")]))])])),
            ])
        ])
        #expect(
            role.field("Policies")
                == .array([
                    .object([
                        ("PolicyName", .string("pull-image-and-log")),
                        ("PolicyDocument", .object([("Version", .string("2012-10-17")), ("Statement", pullAndLog)])),
                    ])
                ])
        )
    }

    @Test func theExecutionRoleReadsExactlyTheVariantsSecrets() throws {
        let ssm = "arn:aws:ssm:us-east-1:123456789012:parameter/tictactoe/key"
        let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        let parts = try template("{secrets: {API_KEY: \"\(ssm)\", DATABASE_URL: \"\(secret)\"}}", backend: "postgres").clusterResources
        let policies = parts.first { $0.0 == "ExecutionRole" }?.1.field("Properties")?.field("Policies").flatMap {
            if case .array(let all) = $0 { JSON.array(Array(all.dropFirst())) } else { nil }
        }
        let statements = JSON.array([
            .object([("Effect", .string("Allow")), ("Action", .array([.string("ssm:GetParameters")])), ("Resource", .array([.string(ssm)]))]),
            .object([
                ("Effect", .string("Allow")), ("Action", .array([.string("secretsmanager:GetSecretValue")])), ("Resource", .array([.string(secret)])),
            ]),
        ])
        #expect(
            policies
                == .array([
                    .object([
                        ("PolicyName", .string("read-secrets")),
                        ("PolicyDocument", .object([("Version", .string("2012-10-17")), ("Statement", statements)])),
                    ])
                ])
        )
    }

    @Test func aSecretsJSONKeyIsGrantedOnTheSecretItself() throws {
        let secret = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
        let parts = try template("{secrets: {PGUSER: \"\(secret):username::\", PGPASSWORD: \"\(secret):password::\"}}").clusterResources
        let policies = parts.first { $0.0 == "ExecutionRole" }?.1.field("Properties")?.field("Policies")
        let policy = try #require(policies.flatMap { if case .array(let a) = $0 { a.last } else { nil } })
        let statement = JSON.object([
            ("Effect", .string("Allow")), ("Action", .array([.string("secretsmanager:GetSecretValue")])), ("Resource", .array([.string(secret)])),
        ])
        #expect(policy.field("PolicyDocument")?.field("Statement") == .array([statement]))
    }

    @Test func findsTheECRRepositoryOfAnImage() {
        #expect(
            StackTemplate.ecrRepositoryARN(image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/games/tictactoe@sha256:ab")
                == "arn:aws:ecr:us-east-1:123456789012:repository/games/tictactoe"
        )
        #expect(StackTemplate.ecrRepositoryARN(image: "127.0.0.1:5000/tictactoe:demo-arm64") == nil)
    }

    @Test func theExecutionRolePullsOnlyTheVariantsOwnECRRepository() throws {
        let task = try TaskDefinition(
            variant: "demo",
            settings: try ConfigLoader.parse("", source: "variants/demo.yaml"),
            architecture: .amd64,
            imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe",
            digest: nil,
            region: "eu-west-1",
            account: "123456789012"
        )
        let role = StackTemplate(task: task).clusterResources.first { $0.0 == "ExecutionRole" }?.1.field("Properties")
        let policy = try #require(role?.field("Policies").flatMap { if case .array(let a) = $0 { a.first } else { nil } })
        let statements = try #require(policy.field("PolicyDocument")?.field("Statement").flatMap { if case .array(let a) = $0 { a } else { nil } })
        #expect(statements.count == 3)
        #expect(statements.first?.field("Action") == .array([.string("ecr:GetAuthorizationToken")]))
        #expect(statements.dropFirst().first?.field("Resource") == .array([.string("arn:aws:ecr:eu-west-1:123456789012:repository/tictactoe")]))
    }

    @Test func theLoadBalancerDropsInvalidHeaderFields() throws {
        let balancer = try template("{load_balancer: true}").loadBalancerResources.first { $0.0 == "LoadBalancer" }?.1
        #expect(
            balancer?.field("Properties")?.field("LoadBalancerAttributes")
                == .array([.object([("Key", .string("routing.http.drop_invalid_header_fields.enabled")), ("Value", .string("true"))])])
        )
    }

    @Test func aGivenClusterAndRoleAreNotCreated() throws {
        let stack = try template("{cluster: games, execution_role_arn: \"arn:aws:iam::123456789012:role/mine\"}")
        #expect(stack.clusterResources.map(\.0) == ["LogGroup", "Cluster"])
        #expect(stack.parameters.first { $0.0 == "ClusterName" }?.1.field("Default") == .string("games"))
    }

    @Test func withoutALoadBalancerTheServiceIsOpenToTheIngressCIDR() throws {
        let group = try template("{ingress_cidr: 203.0.113.0/24}").serviceSecurityGroup
        #expect(
            group.field("Properties")?.field("SecurityGroupIngress")
                == .array([
                    .object([
                        ("IpProtocol", .string("tcp")), ("FromPort", .int(5000)), ("ToPort", .int(5000)), ("CidrIp", .string("203.0.113.0/24")),
                    ])
                ])
        )
    }

    @Test func behindALoadBalancerOnlyItsSecurityGroupReachesTheService() throws {
        let group = try template("{load_balancer: true}").serviceSecurityGroup
        let ingress = group.field("Properties")?.field("SecurityGroupIngress")
        #expect(
            ingress
                == .array([
                    .object([
                        ("IpProtocol", .string("tcp")), ("FromPort", .int(5000)), ("ToPort", .int(5000)),
                        ("SourceSecurityGroupId", .object([("Fn::GetAtt", .array([.string("LoadBalancerSecurityGroup"), .string("GroupId")]))])),
                    ])
                ])
        )
    }

    @Test func anHTTPLoadBalancerForwardsPort80() throws {
        let parts = try template("{load_balancer: true}").loadBalancerResources
        #expect(parts.map(\.0) == ["LoadBalancerSecurityGroup", "LoadBalancer", "TargetGroup", "Listener"])
        let listener = try #require(parts[3].1.field("Properties"))
        #expect(listener.field("Port") == .int(80))
        #expect(
            listener.field("DefaultActions")
                == .array([.object([("Type", .string("forward")), ("TargetGroupArn", .object([("Ref", .string("TargetGroup"))]))])])
        )
    }

    @Test func httpsWithADomainRedirects80AndAddsTheAliasRecord() throws {
        let certificate = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666"
        let stack = try template(
            "{load_balancer: true, https: {certificate_arn: \"\(certificate)\", domain: play.example.com, hosted_zone_id: Z123}}"
        )
        let parts = stack.loadBalancerResources
        #expect(parts.map(\.0) == ["LoadBalancerSecurityGroup", "LoadBalancer", "TargetGroup", "Listener", "HTTPSListener", "DomainRecord"])
        #expect(
            parts[3].1.field("Properties")?.field("DefaultActions")
                == .array([
                    .object([
                        ("Type", .string("redirect")),
                        ("RedirectConfig", .object([("Protocol", .string("HTTPS")), ("Port", .string("443")), ("StatusCode", .string("HTTP_301"))])),
                    ])
                ])
        )
        #expect(parts[4].1.field("Properties")?.field("SslPolicy") == .string("ELBSecurityPolicy-TLS13-1-2-2021-06"))
        #expect(parts[5].1.field("Properties")?.field("Name") == .string("play.example.com"))
        #expect(stack.outputs.last?.1 == .object([("Value", .string("https://play.example.com/"))]))
    }

    @Test func alarmsAreNamedAfterTheStackAndNotifyTheTopic() throws {
        let topic = "arn:aws:sns:us-east-1:123456789012:ops"
        let stack = try template("{load_balancer: true, alarms: {target_5xx_per_minute: 5, unhealthy_hosts: 2, sns_topic_arn: \"\(topic)\"}}")
        let alarms = try #require(stack.deploy.alarms)
        let parts = stack.alarmResources(alarms)
        #expect(parts.map(\.0) == ["Target5xxAlarm", "UnhealthyHostsAlarm"])
        #expect(
            parts.map { $0.1.field("Properties")?.field("AlarmName") } == [
                .string("tictactoe-demo-target-5xx"), .string("tictactoe-demo-unhealthy-hosts"),
            ]
        )
        #expect(parts.map { $0.1.field("Properties")?.field("Threshold") } == [.int(5), .int(2)])
        #expect(parts[0].1.field("Properties")?.field("AlarmActions") == .array([.string(topic)]))
    }

    @Test func scalingTracksCPUAndRequestsWithinTheBounds() throws {
        let stack = try template(
            "{load_balancer: true, desired_count: 2, autoscaling: {min: 2, max: 5, cpu_percent: 60, requests_per_target: 900}}",
            backend: "postgres"
        )
        let parts = stack.scalingResources
        #expect(parts.map(\.0) == ["ScalableTarget", "CPUScalingPolicy", "RequestsScalingPolicy"])
        #expect(parts[0].1.field("Properties")?.field("ScheduledActions") == nil)
        #expect(parts[0].1.field("Properties")?.field("MinCapacity") == .int(2))
        #expect(parts[0].1.field("Properties")?.field("MaxCapacity") == .int(5))
        #expect(parts[1].1.field("Properties")?.field("PolicyName") == .string("tictactoe-demo-cpu"))
        let requests = parts[2].1.field("Properties")?.field("TargetTrackingScalingPolicyConfiguration")
        #expect(requests?.field("TargetValue") == .int(900))
    }

    @Test func theServiceWaitsForItsListenersAndWatchesTheAlarms() throws {
        let parts = try template("{load_balancer: true, alarms: {target_5xx_per_minute: 5, unhealthy_hosts: 1}}").serviceResources
        #expect(parts.map(\.0) == ["TaskDefinition", "Service"])
        #expect(parts[0].1.field("DependsOn") == .array([.string("ExecutionRole"), .string("LogGroup")]))
        #expect(parts[1].1.field("DependsOn") == .array([.string("Listener")]))
        let deployment = parts[1].1.field("Properties")?.field("DeploymentConfiguration")
        #expect(
            deployment?.field("Alarms")?.field("AlarmNames")
                == .array([
                    .object([("Ref", .string("Target5xxAlarm"))]), .object([("Ref", .string("UnhealthyHostsAlarm"))]),
                ])
        )
    }

    @Test func theWholeStackIsThePartsInOrder() throws {
        let stack = try template(
            "{load_balancer: true, alarms: {target_5xx_per_minute: 5, unhealthy_hosts: 1}, autoscaling: {min: 1, max: 2, cpu_percent: 50}, database: {kind: instance}}",
            backend: "postgres"
        )
        guard case .object(let resources) = stack.json.field("Resources") else {
            Issue.record("no resources")
            return
        }
        let alarms = try #require(stack.deploy.alarms)
        let parts =
            stack.clusterResources + stack.loadBalancerResources + stack.alarmResources(alarms)
            + [("ServiceSecurityGroup", stack.serviceSecurityGroup)] + stack.databaseResources(try #require(stack.deploy.database))
            + stack.serviceResources + stack.scalingResources + stack.dashboardResources
        #expect(resources.map(\.0) == parts.map(\.0))
    }
}
