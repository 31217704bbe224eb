/// The log group, the cluster the stack creates unless the variant names one, and the execution
/// role unless the variant names one: it pulls the image, writes the logs and reads the secrets.
extension StackTemplate {
    var clusterResources: [(String, JSON)] {
        var resources: [(String, JSON)] = [
            (
                "LogGroup",
                resource(
                    "AWS::Logs::LogGroup",
                    [
                        ("LogGroupName", .string(names.logGroup)),
                        ("RetentionInDays", .int(deploy.logRetentionDays)),
                    ]
                )
            ),
            (
                "Cluster",
                .object([
                    ("Type", .string("AWS::ECS::Cluster")),
                    ("Condition", .string("CreateCluster")),
                    (
                        "Properties",
                        .object(
                            [
                                ("ClusterName", .string(names.stack)),
                                (
                                    "ClusterSettings",
                                    .array([
                                        .object([
                                            ("Name", .string("containerInsights")),
                                            ("Value", .string(deploy.containerInsights ? "enabled" : "disabled")),
                                        ])
                                    ])
                                ),
                            ] + (deploy.exec ? [("Configuration", execClusterConfiguration)] : [])
                        )
                    ),
                ])
            ),
        ]
        if deploy.executionRoleARN == nil { resources.append(("ExecutionRole", executionRole)) }
        return resources
    }

    private var executionRole: JSON {
        var policies = [(name: "pull-image-and-log", statements: pullAndLogStatements)]
        if !secretStatements.isEmpty { policies.append((name: "read-secrets", statements: secretStatements)) }
        return role(named: names.createdExecutionRole, assumedBy: "ecs-tasks.amazonaws.com", policies: policies)
    }

    /// What starting a task needs, and no more than AWS's managed execution policy would give for
    /// this variant: pulling its image from its own ECR repository (the token call has no resource
    /// to name) and writing to its own log group.
    private var pullAndLogStatements: [JSON] {
        var statements: [JSON] = []
        if let repository = Self.ecrRepositoryARN(image: task.image) {
            statements.append(
                .object([("Effect", .string("Allow")), ("Action", .array([.string("ecr:GetAuthorizationToken")])), ("Resource", .string("*"))])
            )
            statements.append(
                .object([
                    ("Effect", .string("Allow")),
                    ("Action", .array(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"].map(JSON.string))),
                    ("Resource", .array([.string(repository)])),
                ])
            )
        }
        statements.append(
            .object([
                ("Effect", .string("Allow")),
                ("Action", .array([.string("logs:CreateLogStream"), .string("logs:PutLogEvents")])),
                ("Resource", .array([getAtt("LogGroup", "Arn")])),
            ])
        )
        return statements
    }

    /// `arn:aws:ecr:REGION:ACCOUNT:repository/NAME` for an image in ECR
    /// (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME:tag` or `…@sha256:…`); `nil` for another registry.
    static func ecrRepositoryARN(image: String) -> String? {
        guard let slash = image.firstIndex(of: "/") else { return nil }
        let host = image[..<slash].split(separator: ".", omittingEmptySubsequences: false)
        guard host.count == 6, host[1] == "dkr", host[2] == "ecr", host[4] == "amazonaws", host[5] == "com" else { return nil }
        var name = image[image.index(after: slash)...]
        if let at = name.firstIndex(of: "@") {
            name = name[..<at]
        } else if let colon = name.lastIndex(of: ":") {
            name = name[..<colon]
        }
        return "arn:aws:ecr:\(host[3]):\(host[0]):repository/\(name)"
    }

    /// Read access to exactly the secrets the tasks get: the variant's SSM parameters and Secrets
    /// Manager secrets, and the database's generated secret. A secret named with ECS's
    /// `…:secret:NAME:json-key:version-stage:version-id` form is granted on the secret's own ARN
    /// (its first seven fields), which is what IAM matches.
    private var secretStatements: [JSON] {
        var arns: [String] = []
        for arn in deploy.secrets.keys.sorted().compactMap({ deploy.secrets[$0] }) {
            let resource = Self.secretResource(arn)
            if !arns.contains(resource) { arns.append(resource) }
        }
        var statements: [JSON] = []
        for (prefix, action) in [("arn:aws:ssm:", "ssm:GetParameters"), ("arn:aws:secretsmanager:", "secretsmanager:GetSecretValue")] {
            let matching = arns.filter { $0.hasPrefix(prefix) }
            guard !matching.isEmpty else { continue }
            statements.append(
                .object([("Effect", .string("Allow")), ("Action", .array([.string(action)])), ("Resource", .array(matching.map(JSON.string)))])
            )
        }
        if deploy.database != nil { statements.append(databaseSecretStatement) }
        return statements
    }

    /// The ARN IAM knows a secret by: a Secrets Manager ARN without ECS's trailing JSON key,
    /// version stage and version id; anything else as it is.
    static func secretResource(_ arn: String) -> String {
        guard arn.hasPrefix("arn:aws:secretsmanager:") else { return arn }
        return arn.split(separator: ":", omittingEmptySubsequences: false).prefix(7).joined(separator: ":")
    }

}
