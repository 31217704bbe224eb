import Testing

@testable import Config

/// What AWS would reject later is refused here, with file, line and column.
@Suite struct DeploySettingsTests {
    func error(_ yaml: String) -> ConfigError? { parseError(yaml) }

    @Test func readsADeploySection() throws {
        let s = try ConfigLoader.parse(
            """
            server: {shutdown_grace_s: 20}
            state: {backend: postgres}
            deploy:
              architectures: [amd64, arm64]
              run_on: arm64
              cpu: 1024
              memory: 3072
              desired_count: 2
              load_balancer: true
              environment: {LOG_LEVEL: debug}
              secrets: {DATABASE_URL: "arn:aws:ssm:eu-west-1:123456789012:parameter/tictactoe/db"}
              health_check: {interval_s: 30, timeout_s: 10}
            """,
            source: "v.yaml"
        )
        let deploy = try #require(s.deploy)
        #expect(deploy.architectures == [.amd64, .arm64])
        #expect(deploy.runOn == .arm64)
        #expect(deploy.runOn.ecsName == "ARM64")
        #expect(deploy.cpu == 1024 && deploy.memory == 3072)
        #expect(deploy.stopTimeout(grace: 20) == 25)
        #expect(deploy.healthCheck.intervalSeconds == 30)
        #expect(deploy.logGroup(variant: "shared") == "/ecs/tictactoe-shared")
    }

    @Test func refusesACPUAndMemoryPairFargateDoesNotOffer() throws {
        let e = try #require(error("deploy:\n  cpu: 256\n  memory: 4096\n"))
        #expect(e.description == "v.yaml:3:11: deploy.memory: Fargate does not offer 4096 MiB with cpu 256; with 256 it offers 512, 1024, 2048 MiB")
        let cpu = try #require(error("deploy: {cpu: 300}\n"))
        #expect(cpu.message == "Fargate offers cpu 256, 512, 1024, 2048, 4096, 8192 or 16384, not 300")
    }

    @Test func acceptsEveryPairInTheFargateTable() throws {
        for (cpu, memories) in DeploySettings.fargateMemory {
            for memory in memories {
                #expect(throws: Never.self) { try ConfigLoader.parse("deploy: {cpu: \(cpu), memory: \(memory)}\n", source: "v.yaml") }
            }
        }
        #expect(DeploySettings.fargateMemory[4096]?.last == 30720)
    }

    @Test func refusesAServiceArchitectureThatIsNotBuilt() throws {
        let e = try #require(error("deploy:\n  architectures: [amd64]\n  run_on: arm64\n"))
        #expect(e.mark.line == 3)
        #expect(e.message.contains("exec format error"))
    }

    @Test func refusesPlainTextSecrets() throws {
        let e = try #require(error("deploy:\n  secrets: {DATABASE_URL: \"postgres://u:hunter2@db/games\"}\n"))
        #expect(e.key == "deploy.secrets.DATABASE_URL")
        #expect(e.message.hasPrefix("expected an ARN of arn:aws:ssm"))
        let env = try #require(error("deploy:\n  environment: {DB_PASSWORD: hunter2}\n"))
        #expect(env.message == "DB_PASSWORD looks like a secret; put its SSM or Secrets Manager ARN under deploy.secrets instead of a plain value")
    }

    @Test func refusesPORTInTheEnvironment() throws {
        let e = try #require(error("deploy:\n  environment: {PORT: \"8080\"}\n"))
        #expect(e.key == "deploy.environment.PORT")
    }

    @Test func refusesSeveralTasksWithoutSharedState() throws {
        let e = try #require(error("deploy:\n  desired_count: 3\n  load_balancer: true\n"))
        #expect(e.description.hasPrefix("v.yaml:2:18: deploy.desired_count: 3 tasks would each keep their own `memory` games"))
    }

    @Test func refusesHealthCheckValuesOutOfRange() throws {
        let e = try #require(error("deploy:\n  health_check: {interval_s: 400}\n"))
        #expect(e.message == "expected an integer (seconds) from 5 to 300, found 400")
        let order = try #require(error("deploy:\n  health_check: {interval_s: 5, timeout_s: 5}\n"))
        #expect(order.message == "the timeout (5 s) must be shorter than the interval (5 s)")
    }

    @Test func refusesAStopTimeoutShorterThanTheServersGrace() throws {
        let e = try #require(error("server: {shutdown_grace_s: 30}\ndeploy: {stop_timeout_s: 10}\n"))
        #expect(e.message.hasPrefix("ECS would kill the task after 10 s, before server.shutdown_grace_s (30 s)"))
        let long = try #require(error("deploy: {stop_timeout_s: 300}\n"))
        #expect(long.kind == .outOfRange)
    }

    @Test func refusesBadRoleARNsAndCIDRs() throws {
        #expect(try #require(error("deploy: {task_role_arn: admin}\n")).key == "deploy.task_role_arn")
        #expect(try #require(error("deploy: {ingress_cidr: 10.0.0.0/33}\n")).key == "deploy.ingress_cidr")
    }

    @Test func imageConfigDropsOnlyTheDeploySection() throws {
        let text = "# keep me\nserver: {port: 8080}\ndeploy:\n  cpu: 512\n  memory: 1024\ntheme: {name: dark}\n"
        let stripped = try ImageConfig.strippingDeploy(from: text, source: "v.yaml")
        #expect(stripped == "# keep me\nserver: {port: 8080}\ntheme: {name: dark}\n")
        let settings = try ConfigLoader.parse(stripped, source: "v.yaml")
        #expect(settings.deploy == nil)
        #expect(settings.server.port == 8080)
        #expect(settings.theme.name == .dark)
    }

    @Test func imageConfigOfEveryShippedVariantKeepsItsSettings() throws {
        let variants = URLPath.repositoryRoot + "/variants"
        for name in try #require(URLPath.yamlFiles(in: variants)) {
            let path = variants + "/" + name
            var original = try ConfigLoader.load(path: path)
            let text = try ConfigLoader.readText(path: path)
            let stripped = try ImageConfig.strippingDeploy(from: text, source: path)
            #expect(!stripped.contains("deploy:"))
            original.deploy = nil
            #expect(try ConfigLoader.parse(stripped, source: path) == original)
        }
    }

    @Test(arguments: [
        (
            "deploy:\n  https: {certificate_arn: \"arn:aws:acm:us-east-1:123456789012:certificate/abc-def-1234\"}\n",
            "p.yaml:2:10: deploy.https: HTTPS is served by the load balancer: set deploy.load_balancer: true"
        ),
        (
            "deploy:\n  load_balancer: true\n  https: {certificate_arn: \"arn:aws:iam::123456789012:server-certificate/x\"}\n",
            "p.yaml:3:28: deploy.https.certificate_arn: expected an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-…, found `arn:aws:iam::123456789012:server-certificate/x`"
        ),
        (
            "deploy:\n  load_balancer: true\n  https: {certificate_arn: \"arn:aws:acm:us-east-1:123456789012:certificate/abc-def-1234\", domain: \"not a host\"}\n",
            "p.yaml:3:99: deploy.https.domain: expected a host name such as play.example.com, found `not a host`"
        ),
        (
            "deploy:\n  autoscaling: {min: 1, max: 3, cpu_percent: 50}\n",
            "p.yaml:2:30: deploy.autoscaling.max: state.backend `memory` keeps the games in one process, so a second task would not see them: use max: 1, or state.backend postgres"
        ),
        (
            "state: {backend: postgres}\ndeploy:\n  autoscaling: {min: 4, max: 2, cpu_percent: 50}\n",
            "p.yaml:3:30: deploy.autoscaling.max: max (2) must be at least min (4)"
        ),
        (
            "state: {backend: postgres}\ndeploy:\n  autoscaling: {min: 1, max: 2}\n",
            "p.yaml:3:16: deploy.autoscaling: say what to follow: cpu_percent (e.g. 60) and/or requests_per_target (e.g. 1000)"
        ),
        (
            "deploy:\n  alarms: {target_5xx_per_minute: 5}\n",
            "p.yaml:2:11: deploy.alarms: the alarms watch the load balancer's target group: set deploy.load_balancer: true"
        ),
    ])
    func refusesProductionKeysThatCannotWork(yaml: String, message: String) {
        #expect {
            try ConfigLoader.parse(yaml, source: "p.yaml")
        } throws: { error in
            (error as? ConfigError)?.description == message
        }
    }
}
