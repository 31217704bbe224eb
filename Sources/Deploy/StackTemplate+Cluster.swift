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
                        .object([
                            ("ClusterName", .string(names.stack)),
                            (
                                "ClusterSettings",
                                .array([
                                    .object([
                                        ("Name", .string("containerInsights")), ("Value", .string(deploy.containerInsights ? "enabled" : "disabled")),
                                    ])
                                ])
                            ),
                        ])
                    ),
                ])
            ),
        ]
        if deploy.executionRoleARN == nil { resources.append(("ExecutionRole", executionRole)) }
        return resources
    }

    private var executionRole: JSON {
        var properties: [(String, JSON)] = [
            ("RoleName", .string(names.createdExecutionRole)),
            (
                "AssumeRolePolicyDocument",
                .object([
                    ("Version", .string("2012-10-17")),
                    (
                        "Statement",
                        .array([
                            .object([
                                ("Effect", .string("Allow")),
                                ("Principal", .object([("Service", .string("ecs-tasks.amazonaws.com"))])),
                                ("Action", .string("sts:AssumeRole")),
                            ])
                        ])
                    ),
                ])
            ),
            ("ManagedPolicyArns", .array([.string("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")])),
        ]
        if !secretStatements.isEmpty {
            properties.append(
                (
                    "Policies",
                    .array([
                        .object([
                            ("PolicyName", .string("read-secrets")),
                            ("PolicyDocument", .object([("Version", .string("2012-10-17")), ("Statement", .array(secretStatements))])),
                        ])
                    ])
                )
            )
        }
        return resource("AWS::IAM::Role", properties)
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
