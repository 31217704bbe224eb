public import Config

/// Application Auto Scaling of the service's desired count between `min` and `max`: target
/// tracking on average CPU and, behind a load balancer, on requests per task.
extension StackTemplate {
    func scalingResources(_ scaling: DeploySettings.Autoscaling) -> [(String, JSON)] {
        var resources: [(String, JSON)] = [
            (
                "ScalableTarget",
                resource(
                    "AWS::ApplicationAutoScaling::ScalableTarget",
                    [
                        ("MinCapacity", .int(scaling.min)),
                        ("MaxCapacity", .int(scaling.max)),
                        (
                            "ResourceId",
                            .object([("Fn::Join", .array([.string("/"), .array([.string("service"), clusterRef, getAtt("Service", "Name")])]))])
                        ),
                        ("ScalableDimension", .string("ecs:service:DesiredCount")),
                        ("ServiceNamespace", .string("ecs")),
                    ]
                )
            )
        ]
        if let cpu = scaling.cpuPercent {
            resources.append(
                (
                    "CPUScalingPolicy",
                    tracking(
                        "cpu",
                        [("PredefinedMetricType", .string("ECSServiceAverageCPUUtilization"))],
                        target: cpu
                    )
                )
            )
        }
        if let requests = scaling.requestsPerTarget {
            resources.append(
                (
                    "RequestsScalingPolicy",
                    tracking(
                        "requests",
                        [
                            ("PredefinedMetricType", .string("ALBRequestCountPerTarget")),
                            (
                                "ResourceLabel",
                                .object([
                                    (
                                        "Fn::Join",
                                        .array([
                                            .string("/"),
                                            .array([
                                                getAtt(StackNames.LogicalID.loadBalancer, "LoadBalancerFullName"),
                                                getAtt("TargetGroup", "TargetGroupFullName"),
                                            ]),
                                        ])
                                    )
                                ])
                            ),
                        ],
                        target: requests
                    )
                )
            )
        }
        return resources
    }

    /// A target-tracking policy on one predefined metric.
    private func tracking(_ suffix: String, _ metric: [(String, JSON)], target: Int) -> JSON {
        resource(
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            [
                ("PolicyName", .string(names.named(suffix))),
                ("PolicyType", .string("TargetTrackingScaling")),
                ("ScalingTargetId", ref("ScalableTarget")),
                (
                    "TargetTrackingScalingPolicyConfiguration",
                    .object([
                        ("PredefinedMetricSpecification", .object(metric)),
                        ("TargetValue", .int(target)),
                        ("ScaleInCooldown", .int(120)),
                        ("ScaleOutCooldown", .int(60)),
                    ])
                ),
            ]
        )
    }
}
