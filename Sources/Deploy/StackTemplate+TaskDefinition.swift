/// The task definition inside the stack: ``TaskDefinition/registrationJSON`` in CloudFormation's
/// spelling, with the stack's execution role, and with what the stack adds to the container
/// (the load balancer's trust, the database's settings).
extension StackTemplate {
    /// The task definition's properties in CloudFormation's spelling. Keys inside
    /// `logConfiguration.options` keep their spelling (`awslogs-group`).
    public var taskDefinitionProperties: JSON {
        guard case .object(var fields) = task.registrationJSON.pascalCased else { return .null }
        if let i = fields.firstIndex(where: { $0.0 == "ExecutionRoleArn" }), deploy.executionRoleARN == nil {
            fields[i].1 = .object([("Fn::Sub", .string("arn:aws:iam::${AWS::AccountId}:role/\(names.createdExecutionRole)"))])
        }
        if let i = fields.firstIndex(where: { $0.0 == "TaskRoleArn" }), deploy.exec, deploy.taskRoleARN == nil {
            fields[i].1 = getAtt("TaskRole", "Arn")
        }
        if let i = fields.firstIndex(where: { $0.0 == "ContainerDefinitions" }) {
            var container = Self.restoringLogOptions(task.container)
            container = pinnable(container)
            if deploy.loadBalancer { container = Self.trustingTheLoadBalancer(container, https: deploy.https != nil) }
            if let database = deploy.database {
                container = Self.adding(environment: databaseEnvironment(database), secrets: databaseSecrets, to: container)
            }
            fields[i].1 = .array([container])
        }
        if let i = fields.firstIndex(where: { $0.0 == "Tags" }), case .array(let tags) = task.registrationJSON.field("tags")?.pascalCased {
            fields[i].1 = .array(tags + [.object([("Key", .string("tictactoe:release")), ("Value", ref(StackNames.LogicalID.releaseParameter))])])
        }
        return .object(fields)
    }

    /// The container with its image chosen by the stack's parameters: the repository at
    /// `ImageDigest` when one is set, else the variant's moving tag.
    private func pinnable(_ container: JSON) -> JSON {
        guard case .object(let fields) = container else { return container }
        let image = JSON.object([
            (
                "Fn::If",
                .array([
                    .string(Self.pinnedImageCondition),
                    .object([("Fn::Sub", .string("\(task.imageRepository)@${\(StackNames.LogicalID.imageDigestParameter)}"))]),
                    .string("\(task.imageRepository):\(task.imageTag)"),
                ])
            )
        ])
        return .object(fields.map { $0.0 == "Image" ? ($0.0, image) : $0 })
    }

    /// The container with `TRUSTED_PROXIES` set to the stack's `TrustedProxyCidrs`: the VPC's
    /// blocks, where the load balancer's nodes have their addresses. Only the load balancer's
    /// security group may reach the tasks, so only its `X-Forwarded-For` is ever believed.
    /// With HTTPS on the balancer, also `BEHIND_HTTPS=true`, so that answers carry
    /// `Strict-Transport-Security`.
    private static func trustingTheLoadBalancer(_ container: JSON, https: Bool) -> JSON {
        guard case .object(let fields) = container else { return container }
        let trusted = JSON.object([("Ref", .string(StackNames.LogicalID.trustedProxiesParameter))])
        var added = [JSON.object([("Name", .string("TRUSTED_PROXIES")), ("Value", trusted)])]
        if https { added.insert(.object([("Name", .string("BEHIND_HTTPS")), ("Value", .string("true"))]), at: 0) }
        return .object(
            fields.map { key, value in
                guard key == "Environment", case .array(let entries) = value else { return (key, value) }
                return (key, .array(entries + added))
            }
        )
    }

    /// The container with `environment` and `secrets` appended to its own.
    private static func adding(environment: [JSON], secrets: [JSON], to container: JSON) -> JSON {
        guard case .object(var fields) = container else { return container }
        for (key, added) in [("Environment", environment), ("Secrets", secrets)] {
            if let i = fields.firstIndex(where: { $0.0 == key }), case .array(let entries) = fields[i].1 {
                fields[i].1 = .array(entries + added)
            } else {
                fields.append((key, .array(added)))
            }
        }
        return .object(fields)
    }

    private static func restoringLogOptions(_ container: JSON) -> JSON {
        guard case .object(let fields) = container.pascalCased, case .object(let original) = container else { return container }
        let options = original.first { $0.0 == "logConfiguration" }.flatMap { $0.1.field("options") } ?? .null
        return .object(
            fields.map { key, value in
                guard key == "LogConfiguration", case .object(let log) = value else { return (key, value) }
                return (key, .object(log.map { $0.0 == "Options" ? ($0.0, options) : $0 }))
            }
        )
    }
}
