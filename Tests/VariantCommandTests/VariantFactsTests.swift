import Config
import Deploy
import Testing

@testable import VariantCommand

/// `tictactoe variant facts`: what builds and deploys need of a variant, as shell assignments.
@Suite struct VariantFactsTests {
    func facts(_ yaml: String, variant: String = "demo") throws -> [String: String] {
        let settings = try ConfigLoader.parse(yaml, source: "variants/\(variant).yaml")
        let facts = Variant.Facts.facts(variant: variant, settings: settings)
        #expect(Set(facts.map(\.0)).count == facts.count, "a fact is printed twice")
        return Dictionary(uniqueKeysWithValues: facts)
    }

    func task(_ yaml: String, _ architecture: DeploySettings.Architecture) throws -> TaskDefinition {
        try TaskDefinition(
            variant: "demo",
            settings: try ConfigLoader.parse(yaml, source: "variants/demo.yaml"),
            architecture: architecture,
            imageRepository: "r/t",
            digest: nil,
            region: "us-east-1",
            account: "123456789012"
        )
    }

    @Test func memoryVariantIsBuiltWithoutPostgreSQL() throws {
        let facts = try facts("server: {port: 5000}\nstate: {backend: memory}\ndeploy: {architectures: [amd64, arm64], run_on: arm64}\n")
        #expect(facts["PORT"] == "5000" && facts["ARCHITECTURES"] == "amd64 arm64" && facts["RUN_ON"] == "arm64")
        #expect(facts["BACKEND"] == "memory" && facts["SWIFT_TRAIT_FLAGS"] == "--disable-default-traits")
        #expect(facts["RDS_CA_BUNDLE"] == "" && facts["RDS_CA_BUNDLE_URL"] == "")
    }

    @Test func postgresVariantKeepsTheDefaultTraitsAndCarriesRDSsBundle() throws {
        let facts = try facts("server: {port: 8000}\nstate: {backend: postgres, url: \"postgres://u@db/x\"}\n", variant: "shared")
        #expect(facts["PORT"] == "8000" && facts["BACKEND"] == "postgres" && facts["SWIFT_TRAIT_FLAGS"] == "")
        #expect(facts["RDS_CA_BUNDLE"] == "/etc/ssl/certs/rds-ca-bundle.pem")
        #expect(facts["RDS_CA_BUNDLE_URL"] == "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem")
        // Without a deploy section a variant builds for amd64 only, as task definitions assume.
        #expect(facts["ARCHITECTURES"] == "amd64")
    }

    @Test func everyArchitectureIsNamedAsToolchainsAndELFHeadersNameIt() throws {
        let facts = try facts("server: {port: 5000}\n")
        #expect(facts["ALL_ARCHITECTURES"] == "amd64 arm64")
        #expect(facts["MACHINE_amd64"] == "x86_64" && facts["MACHINE_arm64"] == "aarch64")
        #expect(facts["ELF_MACHINE_amd64"] == "62" && facts["ELF_MACHINE_arm64"] == "183")
        #expect(facts["STATIC_SDK_amd64"] == "x86_64-swift-linux-musl" && facts["STATIC_SDK_arm64"] == "aarch64-swift-linux-musl")
    }

    @Test func theImageFactsAreTheOnesTheTaskDefinitionUses() throws {
        let yaml = "server: {port: 5000}\ndeploy: {architectures: [arm64], run_on: arm64, health_check: {interval_s: 20}}\n"
        let facts = try facts(yaml)
        #expect(facts["REPOSITORY_NAME"] == "tictactoe" && facts["LIST_TAG"] == "demo" && facts["RELEASE_LIST_TAG"] == "demo-{version}")
        #expect(facts["IMAGE_TAG_arm64"] == "demo-arm64" && facts["RELEASE_TAG_arm64"] == "demo-{version}-arm64")
        #expect(facts["CONFIG_PATH"] == "/etc/tictactoe/config.yaml" && facts["CONFIG_ENV"] == "TICTACTOE_CONFIG")
        #expect(facts["HEALTHCHECK_INTERVAL_S"] == "20" && facts["HEALTHCHECK_TIMEOUT_S"] == "5")
        #expect(facts["HEALTHCHECK_RETRIES"] == "3" && facts["HEALTHCHECK_START_PERIOD_S"] == "10")
        let container = try task(yaml, .arm64).container
        #expect(container.field("image") == .string("r/t:\(facts["IMAGE_TAG_arm64"] ?? "")"))
        #expect(container.field("user") == .string(facts["IMAGE_USER"] ?? ""))
        #expect(container.field("healthCheck")?.field("command")?.element(1) == .string(facts["BINARY_PATH"] ?? ""))
        #expect(container.field("healthCheck")?.field("interval") == .int(20))
        #expect(facts["CONTAINER"] == TaskDefinition.containerName)
    }

    @Test func aPlainVariantGetsTheStacksOwnNames() throws {
        let facts = try facts("server: {port: 8080}\n")
        #expect(facts["VARIANT"] == "demo" && facts["STACK"] == "tictactoe-demo")
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
        let stack = StackTemplate(task: try task(yaml, .amd64)).json
        for key in ["DATABASE_ID", "LOAD_BALANCER_ID", "SERVICE_SECURITY_GROUP_ID"] {
            #expect(stack.field("Resources")?.field(facts[key] ?? "") != nil, "\(key)=\(facts[key] ?? "")")
        }
        #expect(stack.field("Parameters")?.field(facts["TRUSTED_PROXIES_PARAMETER"] ?? "") != nil)
        #expect(stack.field("Parameters")?.field(facts["DATABASE_SUBNETS_PARAMETER"] ?? "") != nil)
        #expect(facts["DATABASE_SUBNET_PREFIX"] == String(StackTemplate.databaseSubnetPrefixLength))
        #expect(stack.field("Resources")?.field("Cluster")?.field("Properties")?.field("ClusterName") == .string(facts["CLUSTER"] ?? ""))
    }

    @Test func valuesAreQuotedForTheShell() {
        #expect(Variant.Facts.shellQuoted("plain") == "'plain'")
        #expect(Variant.Facts.shellQuoted("it's $(x)") == "'it'\\''s $(x)'")
        #expect(Variant.Facts.shellQuoted("") == "''")
    }
}
