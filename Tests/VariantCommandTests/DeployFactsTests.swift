import Config
import Deploy
import Testing

@testable import VariantCommand

/// `tictactoe variant deploy-facts`: the names the stack renders, as shell assignments.
@Suite struct DeployFactsTests {
    func facts(_ yaml: String) throws -> [String: String] {
        let settings = try ConfigLoader.parse(yaml, source: "variants/demo.yaml")
        return Dictionary(uniqueKeysWithValues: Variant.DeployFacts.facts(variant: "demo", settings: settings))
    }

    @Test func aPlainVariantGetsTheStacksOwnNames() throws {
        let facts = try facts("server: {port: 8080}\n")
        #expect(facts["STACK"] == "tictactoe-demo")
        #expect(facts["CLUSTER"] == "tictactoe-demo" && facts["CLUSTER_CREATED"] == "true")
        #expect(facts["EXECUTION_ROLE"] == "tictactoe-demo-execution" && facts["EXECUTION_ROLE_CREATED"] == "true")
        #expect(facts["LOG_GROUP"] == "/ecs/tictactoe-demo")
        #expect(facts["PORT"] == "8080" && facts["RUN_ON"] == "amd64")
        #expect(facts["LOAD_BALANCER_ID"] == "" && facts["TRUSTED_PROXIES_PARAMETER"] == "" && facts["DATABASE_ID"] == "")
        #expect(facts["DATABASE_SUBNETS_PARAMETER"] == "" && facts["DATABASE_SUBNET_PREFIX"] == "")
    }

    @Test func givenRolesAndClusterAreNamedAsGiven() throws {
        let facts = try facts(
            """
            deploy:
              cluster: games
              execution_role_arn: arn:aws:iam::123456789012:role/team/exec
              task_role_arn: arn:aws:iam::123456789012:role/task
            """
        )
        #expect(facts["CLUSTER"] == "games" && facts["CLUSTER_CREATED"] == "false")
        #expect(facts["EXECUTION_ROLE"] == "exec" && facts["EXECUTION_ROLE_CREATED"] == "false")
        #expect(facts["TASK_ROLE"] == "task")
    }

    @Test func theDatabaseAndLoadBalancerFactsMatchTheRenderedStack() throws {
        let yaml = "state: {backend: postgres}\ndeploy: {load_balancer: true, database: {kind: aurora-serverless, deletion_protection: true}}\n"
        let facts = try facts(yaml)
        #expect(facts["DATABASE_KIND"] == "aurora-serverless" && facts["DATABASE_DELETION_PROTECTION"] == "true")
        let settings = try ConfigLoader.parse(yaml, source: "variants/demo.yaml")
        let task = try TaskDefinition(
            variant: "demo",
            settings: settings,
            architecture: .amd64,
            imageRepository: "r/t",
            digest: nil,
            region: "us-east-1",
            account: "123456789012"
        )
        let stack = StackTemplate(task: task).json
        for key in ["DATABASE_ID", "LOAD_BALANCER_ID", "SERVICE_SECURITY_GROUP_ID"] {
            #expect(stack.field("Resources")?.field(facts[key] ?? "") != nil, "\(key)=\(facts[key] ?? "")")
        }
        #expect(stack.field("Parameters")?.field(facts["TRUSTED_PROXIES_PARAMETER"] ?? "") != nil)
        #expect(stack.field("Parameters")?.field(facts["DATABASE_SUBNETS_PARAMETER"] ?? "") != nil)
        #expect(facts["DATABASE_SUBNET_PREFIX"] == String(StackTemplate.databaseSubnetPrefixLength))
        #expect(stack.field("Resources")?.field("Cluster")?.field("Properties")?.field("ClusterName") == .string(facts["CLUSTER"] ?? ""))
    }

    @Test func valuesAreQuotedForTheShell() {
        #expect(Variant.DeployFacts.shellQuoted("plain") == "'plain'")
        #expect(Variant.DeployFacts.shellQuoted("it's $(x)") == "'it'\\''s $(x)'")
        #expect(Variant.DeployFacts.shellQuoted("") == "''")
    }
}
