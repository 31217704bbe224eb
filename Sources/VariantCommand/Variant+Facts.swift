import ArgumentParser
import Config
import Deploy

extension Variant {
    /// Every fact of a variant that an image build, a script or a deploy needs, as `KEY='value'`
    /// lines that `sh` reads with `.` and `eval`: the Dockerfiles, `make` and the tests ask this
    /// command instead of keeping copies. Values come from the same `Config` and `Deploy` code that
    /// the server and the stack use.
    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every fact of a variant that builds and deploys need, as shell assignments.",
            discussion: """
                One line per fact, KEY='value', single-quoted for the shell: \
                eval "$(tictactoe variant facts variants/NAME.yaml)". Per-architecture facts end in \
                the architecture's name (MACHINE_arm64). A release tag holds \
                \(ImageLayout.versionPlaceholder) where the version goes. Facts that do not apply \
                to a variant (a database it does not have) are empty.
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
            build(variant: variant, settings: settings) + image(variant: variant, settings: settings) + aws(variant: variant, settings: settings)
        }

        /// What the compile needs: the port, the architectures and what toolchains call them.
        static func build(variant: String, settings: Settings) -> [(String, String)] {
            let deploy = settings.deploy ?? DeploySettings()
            let backend = settings.state.backend
            var facts = [
                ("VARIANT", variant),
                ("PORT", String(settings.server.port)),
                ("ARCHITECTURES", deploy.architectures.map(\.rawValue).joined(separator: " ")),
                ("ALL_ARCHITECTURES", DeploySettings.Architecture.allCases.map(\.rawValue).joined(separator: " ")),
                ("BACKEND", backend.rawValue),
                ("SWIFT_TRAIT_FLAGS", backend == .postgres ? "" : "--disable-default-traits"),
            ]
            for architecture in DeploySettings.Architecture.allCases {
                facts += [
                    ("MACHINE_\(architecture.rawValue)", architecture.machine),
                    ("ELF_MACHINE_\(architecture.rawValue)", String(architecture.elfMachine)),
                    ("STATIC_SDK_\(architecture.rawValue)", architecture.staticSDK),
                ]
            }
            return facts
        }

        /// What the image holds where, its tags, and its health check.
        static func image(variant: String, settings: Settings) -> [(String, String)] {
            let deploy = settings.deploy ?? DeploySettings()
            let version = ImageLayout.versionPlaceholder
            var facts = [
                ("REPOSITORY_NAME", ImageLayout.repository),
                ("LIST_TAG", ImageLayout.listTag(variant: variant)),
                ("RELEASE_LIST_TAG", ImageLayout.releaseListTag(variant: variant, version: version)),
            ]
            for architecture in DeploySettings.Architecture.allCases {
                facts += [
                    ("IMAGE_TAG_\(architecture.rawValue)", ImageLayout.tag(variant: variant, architecture: architecture)),
                    ("RELEASE_TAG_\(architecture.rawValue)", ImageLayout.releaseTag(variant: variant, version: version, architecture: architecture)),
                ]
            }
            let postgres = settings.state.backend == .postgres
            return facts + [
                ("BINARY_PATH", ImageLayout.binaryPath),
                ("IMAGE_USER", ImageLayout.user),
                ("CONFIG_PATH", ImageLayout.configPath),
                ("CONFIG_ENV", ImageLayout.configEnvironment),
                ("HEALTHCHECK_INTERVAL_S", String(deploy.healthCheck.intervalSeconds)),
                ("HEALTHCHECK_TIMEOUT_S", String(deploy.healthCheck.timeoutSeconds)),
                ("HEALTHCHECK_RETRIES", String(deploy.healthCheck.retries)),
                ("HEALTHCHECK_START_PERIOD_S", String(deploy.healthCheck.startPeriodSeconds)),
                ("RDS_CA_BUNDLE", postgres ? DatabaseSettings.caBundlePath : ""),
                ("RDS_CA_BUNDLE_URL", postgres ? DatabaseSettings.caBundleURL : ""),
            ]
        }

        /// The names of the variant's AWS resources and the stack's logical ids, made by the same
        /// ``StackNames`` the stack is rendered with, so that scripts parse no rendered JSON.
        static func aws(variant: String, settings: Settings) -> [(String, String)] {
            let deploy = settings.deploy ?? DeploySettings()
            let names = StackNames(variant: variant, deploy: deploy)
            let roleName = { (arn: String?) in arn.map { String($0.split(separator: "/").last ?? "") } ?? "" }
            let database = deploy.database
            return [
                ("STACK", names.stack),
                ("FAMILY", names.family),
                ("SERVICE", names.service),
                ("CONTAINER", TaskDefinition.containerName),
                ("CLUSTER", names.cluster),
                ("CLUSTER_CREATED", String(deploy.cluster == nil)),
                ("EXECUTION_ROLE", deploy.executionRoleARN.map { roleName($0) } ?? names.createdExecutionRole),
                ("EXECUTION_ROLE_CREATED", String(deploy.executionRoleARN == nil)),
                ("ROLE_BOUNDARY", StackNames.roleBoundaryPolicy),
                ("TASK_ROLE", roleName(deploy.taskRoleARN)),
                ("LOG_GROUP", names.logGroup),
                ("RUN_ON", deploy.runOn.rawValue),
                ("LOAD_BALANCER_ID", deploy.loadBalancer ? StackNames.LogicalID.loadBalancer : ""),
                ("SERVICE_SECURITY_GROUP_ID", StackNames.LogicalID.serviceSecurityGroup),
                ("TRUSTED_PROXIES_PARAMETER", deploy.loadBalancer ? StackNames.LogicalID.trustedProxiesParameter : ""),
                ("CERTIFICATE_ARN", deploy.https?.certificateARN ?? ""),
                ("DOMAIN", deploy.https?.domain ?? ""),
                ("DATABASE_KIND", database?.kind.rawValue ?? ""),
                ("DATABASE_ID", database.map { StackNames.LogicalID.database($0.kind) } ?? ""),
                ("DATABASE_SUBNETS_PARAMETER", database != nil ? StackNames.LogicalID.databaseSubnetsParameter : ""),
                ("DATABASE_SUBNET_PREFIX", database != nil ? String(StackTemplate.databaseSubnetPrefixLength) : ""),
                ("DATABASE_ON_DELETE", database?.onDelete.rawValue ?? ""),
                ("DATABASE_DELETION_PROTECTION", database.map { String($0.deletionProtection) } ?? ""),
                ("EXEC_ENABLED", String(deploy.exec)),
                ("STRATEGY", deploy.strategy.summary),
                ("DASHBOARD", names.dashboard),
                ("RELEASES_PARAMETER", names.releasesParameter),
                ("IMAGE_DIGEST_PARAMETER", StackNames.LogicalID.imageDigestParameter),
                ("RELEASE_PARAMETER", StackNames.LogicalID.releaseParameter),
            ]
        }

        /// `value` in single quotes, each `'` written as `'\''`: safe for `eval` whatever it holds.
        static func shellQuoted(_ value: String) -> String {
            "'" + value.replacing("'", with: "'\\''") + "'"
        }
    }
}
