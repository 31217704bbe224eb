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
    /// Manager secrets, and the database's generated secret.
    private var secretStatements: [JSON] {
        let arns = deploy.secrets.keys.sorted().compactMap { deploy.secrets[$0] }
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
}
