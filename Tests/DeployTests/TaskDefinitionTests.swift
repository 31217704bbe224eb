import Config
import Deploy
import Testing

@Suite struct TaskDefinitionTests {
    let yaml = """
        server: {port: 8080, shutdown_grace_s: 12}
        deploy:
          architectures: [amd64, arm64]
          cpu: 512
          memory: 1024
          environment: {LOG_LEVEL: debug}
          secrets: {API_KEY: "arn:aws:ssm:eu-west-1:123456789012:parameter/tictactoe/key"}
        """

    func task(_ arch: DeploySettings.Architecture = .arm64, digest: String? = nil, yaml: String? = nil) throws -> TaskDefinition {
        let settings = try ConfigLoader.parse(yaml ?? self.yaml, source: "variants/demo.yaml")
        return try TaskDefinition(
            variant: "demo",
            settings: settings,
            architecture: arch,
            imageRepository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe",
            digest: digest,
            region: "eu-west-1",
            account: "123456789012"
        )
    }

    @Test func portArchitectureAndImageComeFromTheVariant() throws {
        let json = try task().registrationJSON
        let container = try #require(json.field("containerDefinitions").flatMap { if case .array(let a) = $0 { a.first } else { nil } })
        #expect(json.field("runtimePlatform")?.field("cpuArchitecture") == .string("ARM64"))
        #expect(json.field("cpu") == .string("512"))
        #expect(json.field("memory") == .string("1024"))
        #expect(container.field("image") == .string("123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe:demo-arm64"))
        let mapping = try #require(container.field("portMappings").flatMap { if case .array(let a) = $0 { a.first } else { nil } })
        #expect(mapping.field("containerPort") == .int(8080))
        #expect(container.field("stopTimeout") == .int(17))
        #expect(container.field("readonlyRootFilesystem") == .bool(true))
        #expect(container.field("linuxParameters") == .object([("capabilities", .object([("drop", .array([.string("ALL")]))]))]))
        #expect(container.field("user") == .string("65532:65532"))
        #expect(json.field("executionRoleArn") == .string("arn:aws:iam::123456789012:role/tictactoe-demo-execution"))
    }

    @Test func pinsTheDigestWhenGiven() throws {
        let digest = "sha256:" + String(repeating: "ab", count: 32)
        let json = try task(digest: digest).registrationJSON.rendered
        #expect(json.contains("\"image\": \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/tictactoe@\(digest)\""))
        #expect(throws: RenderError.self) { try task(digest: "latest") }
    }

    @Test func rendersTheSameBytesEveryTime() throws {
        #expect(try task().registrationJSON.rendered == task().registrationJSON.rendered)
        #expect(try StackTemplate(task: task()).json.rendered == StackTemplate(task: task()).json.rendered)
    }

    @Test func refusesAnArchitectureTheVariantDoesNotBuild() throws {
        #expect(throws: RenderError.self) { try task(.arm64, yaml: "deploy: {architectures: [amd64]}\n") }
    }

    @Test func refusesAServerThatListensOnLoopbackOnly() throws {
        do {
            _ = try task(yaml: "server: {host: 127.0.0.1}\ndeploy: {architectures: [arm64]}\n")
            Issue.record("expected a refusal")
        } catch let error as RenderError {
            #expect(error.description.contains("would not listen on the task's network interface"))
        }
    }

    @Test func theStackHoldsTheSameTaskDefinition() throws {
        let t = try task()
        let stack = StackTemplate(task: t).json
        let inStack = try #require(stack.field("Resources")?.field("TaskDefinition")?.field("Properties"))
        // Same model: only the execution role is written as a reference to the stack's own role.
        guard case .object(let stackFields) = inStack, case .object(let fileFields) = t.registrationJSON else {
            Issue.record("not objects")
            return
        }
        #expect(stackFields.map(\.0) == fileFields.map { key, _ in key.prefix(1).uppercased() + key.dropFirst() })
        #expect(inStack.field("ExecutionRoleArn") == .object([("Fn::Sub", .string("arn:aws:iam::${AWS::AccountId}:role/tictactoe-demo-execution"))]))
        #expect(inStack.field("Cpu") == .string("512"))
        let rendered = inStack.rendered
        #expect(rendered.contains("\"awslogs-group\": \"/ecs/tictactoe-demo\""))
        #expect(rendered.contains("\"ContainerPort\": 8080"))
        #expect(rendered.contains("\"CpuArchitecture\": \"ARM64\""))
    }

    @Test func aLoadBalancedStackChecksReadiness() throws {
        let t = try renderedTask("state: {backend: postgres}\ndeploy: {desired_count: 3, load_balancer: true}\n", variant: "shared")
        let resources = try #require(StackTemplate(task: t).json.field("Resources"))
        #expect(resources.field("TargetGroup")?.field("Properties")?.field("HealthCheckPath") == .string("/readyz"))
        #expect(resources.field("Service")?.field("Properties")?.field("DesiredCount") == .int(3))
        let breaker = resources.field("Service")?.field("Properties")?.field("DeploymentConfiguration")?.field("DeploymentCircuitBreaker")
        #expect(breaker == .object([("Enable", .bool(true)), ("Rollback", .bool(true))]))
    }

    @Test func aLoadBalancedStackTrustsOnlyTheVPCsForwardedFor() throws {
        let t = try renderedTask("deploy: {load_balancer: true, environment: {LOG_LEVEL: debug}}\n", variant: "lb")
        let stack = StackTemplate(task: t).json
        let environment = stack.field("Resources")?.field("TaskDefinition")?.field("Properties")?.field("ContainerDefinitions")
        let entries = environment?.rendered.split(separator: "\n").map { $0.filter { !$0.isWhitespace } }.joined() ?? ""
        #expect(
            entries.contains("{\"Name\":\"LOG_LEVEL\",\"Value\":\"debug\"},{\"Name\":\"TRUSTED_PROXIES\",\"Value\":{\"Ref\":\"TrustedProxyCidrs\"}}")
        )
        #expect(stack.field("Parameters")?.field("TrustedProxyCidrs")?.field("Default") == .string("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16"))
        // Without a load balancer the tasks are reached directly: no forwarded address is believed.
        let direct = StackTemplate(task: try task()).json
        #expect(direct.field("Parameters")?.field("TrustedProxyCidrs") == nil)
        #expect(direct.rendered.contains("TRUSTED_PROXIES") == false)
    }

    static let production = """
        state: {backend: postgres}
        deploy:
          desired_count: 2
          load_balancer: true
          https:
            certificate_arn: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666
            domain: play.example.com
            hosted_zone_id: Z0123456789EXAMPLE
          autoscaling: {min: 2, max: 6, cpu_percent: 60, requests_per_target: 1000}
          alarms: {target_5xx_per_minute: 7, unhealthy_hosts: 2, sns_topic_arn: "arn:aws:sns:us-east-1:123456789012:alerts"}
        """

    func productionStack(_ yaml: String = production, region: String = "us-east-1") throws -> JSON {
        StackTemplate(task: try renderedTask(yaml, variant: "production", region: region)).json
    }

    @Test func httpsAutoscalingAndAlarmsBecomeTheirResources() throws {
        let stack = try productionStack()
        let resources = try #require(stack.field("Resources"))
        let listener = resources.field("Listener")?.field("Properties")
        #expect(listener?.field("Port") == .int(80))
        #expect(listener?.field("DefaultActions")?.rendered.contains("\"StatusCode\": \"HTTP_301\"") == true)
        let https = resources.field("HTTPSListener")?.field("Properties")
        #expect(https?.field("Port") == .int(443))
        #expect(https?.field("Protocol") == .string("HTTPS"))
        #expect(https?.field("SslPolicy") == .string("ELBSecurityPolicy-TLS13-1-2-2021-06"))
        #expect(https?.field("Certificates")?.rendered.contains("certificate/0a1b2c3d-1111-2222-3333-444455556666") == true)
        let record = resources.field("DomainRecord")?.field("Properties")
        #expect(record?.field("Name") == .string("play.example.com"))
        #expect(record?.field("HostedZoneId") == .string("Z0123456789EXAMPLE"))
        #expect(resources.field("LoadBalancerSecurityGroup")?.rendered.contains("\"FromPort\": 443") == true)
        let target = resources.field("ScalableTarget")?.field("Properties")
        #expect(target?.field("MinCapacity") == .int(2))
        #expect(target?.field("MaxCapacity") == .int(6))
        let cpu = resources.field("CPUScalingPolicy")?.field("Properties")?.field("TargetTrackingScalingPolicyConfiguration")
        #expect(cpu?.field("TargetValue") == .int(60))
        let requests = resources.field("RequestsScalingPolicy")?.field("Properties")?.field("TargetTrackingScalingPolicyConfiguration")
        #expect(requests?.field("TargetValue") == .int(1000))
        #expect(requests?.rendered.contains("ALBRequestCountPerTarget") == true)
        #expect(resources.field("Target5xxAlarm")?.field("Properties")?.field("Threshold") == .int(7))
        #expect(resources.field("UnhealthyHostsAlarm")?.field("Properties")?.field("Threshold") == .int(2))
        #expect(
            resources.field("Target5xxAlarm")?.field("Properties")?.field("AlarmActions")
                == .array([.string("arn:aws:sns:us-east-1:123456789012:alerts")])
        )
        let deployment = resources.field("Service")?.field("Properties")?.field("DeploymentConfiguration")?.field("Alarms")
        #expect(deployment?.field("Rollback") == .bool(true))
        #expect(
            deployment?.field("AlarmNames")
                == .array([.object([("Ref", .string("Target5xxAlarm"))]), .object([("Ref", .string("UnhealthyHostsAlarm"))])])
        )
        #expect(resources.field("Cluster")?.rendered.contains("\"Value\": \"enabled\"") == true)
        let environment = resources.field("TaskDefinition")?.rendered ?? ""
        #expect(environment.contains("\"BEHIND_HTTPS\""))
        #expect(stack.field("Outputs")?.field("URL")?.field("Value") == .string("https://play.example.com/"))
    }

    @Test func withoutTheNewKeysTheStackIsAsBefore() throws {
        let stack = try productionStack("state: {backend: postgres}\ndeploy: {desired_count: 2, load_balancer: true, container_insights: false}\n")
        let resources = try #require(stack.field("Resources"))
        for absent in ["HTTPSListener", "DomainRecord", "ScalableTarget", "CPUScalingPolicy", "Target5xxAlarm"] {
            #expect(resources.field(absent) == nil, "\(absent)")
        }
        #expect(resources.field("Service")?.field("Properties")?.field("DeploymentConfiguration")?.field("Alarms") == nil)
        #expect(resources.field("Cluster")?.rendered.contains("\"Value\": \"disabled\"") == true)
    }

    @Test func refusesACertificateOfAnotherRegion() throws {
        #expect {
            try productionStack(region: "eu-west-1")
        } throws: { error in
            (error as? RenderError)?.description.hasPrefix(
                "variants/production.yaml:6:22: deploy.https.certificate_arn: the certificate is in us-east-1 but the stack deploys to eu-west-1"
            ) == true
        }
    }
}
