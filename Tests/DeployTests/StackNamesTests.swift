import Config
import Deploy
import Testing

/// The one place AWS names are made, and what the stack and task definition render from it.
@Suite struct StackNamesTests {
    func names(_ deploy: String) throws -> StackNames {
        let settings = try ConfigLoader.parse("deploy: \(deploy)\n", source: "variants/demo.yaml")
        return StackNames(variant: "demo", deploy: settings.deploy ?? DeploySettings())
    }

    @Test func everyNameDerivesFromTheVariant() throws {
        let names = try names("{}")
        #expect([names.stack, names.family, names.service, names.cluster] == Array(repeating: "tictactoe-demo", count: 4))
        #expect(names.createdExecutionRole == "tictactoe-demo-execution")
        #expect(names.executionRoleARN(account: "123456789012") == "arn:aws:iam::123456789012:role/tictactoe-demo-execution")
        #expect(names.logGroup == "/ecs/tictactoe-demo")
        #expect(names.named("cpu") == "tictactoe-demo-cpu")
    }

    @Test func givenClusterRoleAndLogGroupWin() throws {
        let names = try names("{cluster: games, execution_role_arn: \"arn:aws:iam::123456789012:role/mine\", log_group: /games/demo}")
        #expect(names.cluster == "games")
        #expect(names.executionRoleARN(account: "999999999999") == "arn:aws:iam::123456789012:role/mine")
        #expect(names.logGroup == "/games/demo")
    }

    @Test func loadBalancerNamesStopAt32Characters() {
        let names = StackNames(variant: "a-variant-with-a-rather-long-name", deploy: DeploySettings())
        #expect(names.loadBalancer == "tictactoe-a-variant-with-a-rathe")
        #expect(names.loadBalancer.count == 32)
    }

    @Test func theDatabasesLogicalIdFollowsItsKind() {
        #expect(StackNames.LogicalID.database(.auroraServerless) == "DatabaseCluster")
        #expect(StackNames.LogicalID.database(.instance) == "Database")
    }
}
