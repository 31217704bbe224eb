import ArgumentParser
import Config
import Deploy

extension Variant {
    /// The names and facts `make`'s deploy scripts need of a variant, as shell assignments, made by
    /// the same ``StackNames`` the stack is rendered with, so that scripts build no AWS name of
    /// their own and parse no rendered JSON.
    struct DeployFacts: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deploy-facts",
            abstract: "Print the AWS names and deploy facts of a variant, as shell assignments.",
            discussion: """
                STACK FAMILY SERVICE CLUSTER CLUSTER_CREATED (the stack makes it) \
                EXECUTION_ROLE EXECUTION_ROLE_CREATED TASK_ROLE (role names) ROLE_BOUNDARY (the created \
                roles' permissions boundary policy) LOG_GROUP RUN_ON PORT \
                LOAD_BALANCER_ID SERVICE_SECURITY_GROUP_ID TRUSTED_PROXIES_PARAMETER (logical ids and a \
                parameter, empty when the stack has none) CERTIFICATE_ARN DOMAIN DATABASE_KIND DATABASE_ID \
                DATABASE_SUBNETS_PARAMETER DATABASE_SUBNET_PREFIX (the parameter naming the database subnets' \
                blocks, and their prefix length) DATABASE_ON_DELETE DATABASE_DELETION_PROTECTION. Values are single-quoted: \
                eval "$(tictactoe variant deploy-facts variants/NAME.yaml)".
                """
        )

        @Argument(help: "The variant's YAML file, variants/NAME.yaml.") var file: String

        func validate() throws {
            guard file.hasSuffix(".yaml") else { throw ValidationError("the variant must be a .yaml file, not \(file)") }
        }

        func run() throws {
            let settings = try loadOrExit(file)
            let variant = String(file.split(separator: "/").last?.dropLast(5) ?? "")
            for (key, value) in Self.facts(variant: variant, settings: settings) {
                print("\(key)=\(Self.shellQuoted(value))")
            }
        }

        static func facts(variant: String, settings: Settings) -> [(String, String)] {
            let deploy = settings.deploy ?? DeploySettings()
            let names = StackNames(variant: variant, deploy: deploy)
            let roleName = { (arn: String?) in arn.map { String($0.split(separator: "/").last ?? "") } ?? "" }
            return [
                ("STACK", names.stack),
                ("FAMILY", names.family),
                ("SERVICE", names.service),
                ("CLUSTER", names.cluster),
                ("CLUSTER_CREATED", String(deploy.cluster == nil)),
                ("EXECUTION_ROLE", deploy.executionRoleARN.map { roleName($0) } ?? names.createdExecutionRole),
                ("EXECUTION_ROLE_CREATED", String(deploy.executionRoleARN == nil)),
                ("ROLE_BOUNDARY", StackNames.roleBoundaryPolicy),
                ("TASK_ROLE", roleName(deploy.taskRoleARN)),
                ("LOG_GROUP", names.logGroup),
                ("RUN_ON", deploy.runOn.rawValue),
                ("PORT", String(settings.server.port)),
                ("LOAD_BALANCER_ID", deploy.loadBalancer ? StackNames.LogicalID.loadBalancer : ""),
                ("SERVICE_SECURITY_GROUP_ID", StackNames.LogicalID.serviceSecurityGroup),
                ("TRUSTED_PROXIES_PARAMETER", deploy.loadBalancer ? StackNames.LogicalID.trustedProxiesParameter : ""),
                ("CERTIFICATE_ARN", deploy.https?.certificateARN ?? ""),
                ("DOMAIN", deploy.https?.domain ?? ""),
                ("DATABASE_KIND", deploy.database?.kind.rawValue ?? ""),
                ("DATABASE_ID", deploy.database.map { StackNames.LogicalID.database($0.kind) } ?? ""),
                ("DATABASE_SUBNETS_PARAMETER", deploy.database != nil ? StackNames.LogicalID.databaseSubnetsParameter : ""),
                ("DATABASE_SUBNET_PREFIX", deploy.database != nil ? String(StackTemplate.databaseSubnetPrefixLength) : ""),
                ("DATABASE_ON_DELETE", deploy.database?.onDelete.rawValue ?? ""),
                ("DATABASE_DELETION_PROTECTION", deploy.database.map { String($0.deletionProtection) } ?? ""),
            ]
        }

        /// `value` in single quotes, each `'` written as `'\''`: safe for `eval` whatever it holds.
        static func shellQuoted(_ value: String) -> String {
            "'" + value.replacing("'", with: "'\\''") + "'"
        }
    }
}
