/// The task definition (``TaskDefinition`` in CloudFormation's spelling, with what the stack adds
/// to its container) and the Fargate service that runs it: the deployment circuit breaker with
/// rollback, the alarms when there are any, and the load balancer's target group when there is one.
extension StackTemplate {
    var serviceResources: [(String, JSON)] {
        var taskDefinition: [(String, JSON)] = [("Type", .string("AWS::ECS::TaskDefinition"))]
        if deploy.executionRoleARN == nil { taskDefinition.append(("DependsOn", .array([.string("ExecutionRole"), .string("LogGroup")]))) }
        taskDefinition.append(("Properties", taskDefinitionProperties))

        var service: [(String, JSON)] = [("Type", .string("AWS::ECS::Service"))]
        if deploy.loadBalancer {
            service.append(
                (
                    "DependsOn",
                    .array([.string("Listener")] + (deploy.https != nil ? [.string("HTTPSListener")] : []))
                )
            )
        }
        service.append(("Properties", .object(serviceProperties)))
        return [("TaskDefinition", .object(taskDefinition)), ("Service", .object(service))]
    }

    private var serviceProperties: [(String, JSON)] {
        var deployment: [(String, JSON)] = [
            ("DeploymentCircuitBreaker", .object([("Enable", .bool(true)), ("Rollback", .bool(true))])),
            ("MaximumPercent", .int(200)),
            ("MinimumHealthyPercent", .int(100)),
        ]
        deployment += strategyConfiguration
        if deploy.alarms != nil {
            deployment.append(
                (
                    "Alarms",
                    .object([
                        ("AlarmNames", .array(alarmIDs.map(ref))),
                        ("Enable", .bool(true)),
                        ("Rollback", .bool(true)),
                    ])
                )
            )
        }
        var properties: [(String, JSON)] = [
            ("ServiceName", .string(names.service)),
            ("Cluster", clusterRef),
            ("LaunchType", .string("FARGATE")),
            ("TaskDefinition", ref("TaskDefinition")),
            ("DesiredCount", .int(deploy.desiredCount)),
            ("DeploymentConfiguration", .object(deployment)),
            (
                "NetworkConfiguration",
                .object([
                    (
                        "AwsvpcConfiguration",
                        .object([
                            ("AssignPublicIp", .string("ENABLED")),
                            ("Subnets", ref("SubnetIds")),
                            ("SecurityGroups", .array([getAtt(StackNames.LogicalID.serviceSecurityGroup, "GroupId")])),
                        ])
                    )
                ])
            ),
            ("PropagateTags", .string("TASK_DEFINITION")),
        ]
        if deploy.exec { properties.append(("EnableExecuteCommand", .bool(true))) }
        if deploy.loadBalancer {
            properties.append(("HealthCheckGracePeriodSeconds", .int(max(30, deploy.healthCheck.startPeriodSeconds))))
            properties.append(
                (
                    "LoadBalancers",
                    .array([
                        .object(
                            [
                                ("ContainerName", .string(TaskDefinition.containerName)),
                                ("ContainerPort", .int(task.port)),
                                ("TargetGroupArn", ref("TargetGroup")),
                            ] + (shiftsTraffic ? [("AdvancedConfiguration", trafficShiftConfiguration)] : [])
                        )
                    ])
                )
            )
        }
        return properties
    }
}
