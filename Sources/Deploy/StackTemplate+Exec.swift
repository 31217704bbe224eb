/// ECS Exec (`deploy.exec: true`): the task role may open the session's channels and write the
/// session's log, the cluster the stack creates logs every session to the variant's log group, and
/// the service lets `aws ecs execute-command` in. The container keeps its read-only root: the SSM
/// agent's folders are volumes of the task (``TaskDefinition/execAgentPaths``).
extension StackTemplate {
    /// What the SSM agent in the container needs to carry a session.
    static let execChannelActions = [
        "ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel",
    ]

    /// The task role the stack creates when the variant names none; a variant's own role must be
    /// given these permissions by its owner (the stack changes no role it did not create).
    var execResources: [(String, JSON)] {
        guard deploy.exec, deploy.taskRoleARN == nil else { return [] }
        let statements: [JSON] = [
            .object([("Effect", .string("Allow")), ("Action", .array(Self.execChannelActions.map(JSON.string))), ("Resource", .string("*"))]),
            .object([("Effect", .string("Allow")), ("Action", .array([.string("logs:DescribeLogGroups")])), ("Resource", .string("*"))]),
            .object([
                ("Effect", .string("Allow")),
                ("Action", .array(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"].map(JSON.string))),
                ("Resource", .array([getAtt("LogGroup", "Arn")])),
            ]),
        ]
        return [("TaskRole", role(named: names.createdTaskRole, assumedBy: "ecs-tasks.amazonaws.com", policies: [("exec-sessions", statements)]))]
    }

    /// The cluster's `Configuration`: every session's input and output in the log group.
    var execClusterConfiguration: JSON {
        .object([
            (
                "ExecuteCommandConfiguration",
                .object([
                    ("Logging", .string("OVERRIDE")),
                    ("LogConfiguration", .object([("CloudWatchLogGroupName", ref("LogGroup"))])),
                ])
            )
        ])
    }
}
