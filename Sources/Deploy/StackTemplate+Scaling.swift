import Config

/// Application Auto Scaling of the service's desired count between `min` and `max`: target
/// tracking on average CPU and, behind a load balancer, on requests per task; and with
/// `deploy.schedule`, scheduled actions that set the count to zero outside its hours and back at
/// their start. A schedule without autoscaling holds the count at `desired_count` while it runs.
extension StackTemplate {
    /// The task counts the service keeps between while it runs: autoscaling's, else the desired count.
    var runningBounds: (min: Int, max: Int) {
        deploy.autoscaling.map { ($0.min, $0.max) } ?? (deploy.desiredCount, deploy.desiredCount)
    }

    var scalingResources: [(String, JSON)] {
        let bounds = runningBounds
        var target: [(String, JSON)] = [
            ("MinCapacity", .int(bounds.min)),
            ("MaxCapacity", .int(bounds.max)),
            (
                "ResourceId",
                .object([("Fn::Join", .array([.string("/"), .array([.string("service"), clusterRef, getAtt("Service", "Name")])]))])
            ),
            ("ScalableDimension", .string("ecs:service:DesiredCount")),
            ("ServiceNamespace", .string("ecs")),
        ]
        if let schedule = deploy.schedule { target.append(("ScheduledActions", scheduledActions(schedule, bounds: bounds))) }
        var resources: [(String, JSON)] = [("ScalableTarget", resource("AWS::ApplicationAutoScaling::ScalableTarget", target))]
        guard let scaling = deploy.autoscaling else { return resources }
        resources += trackingResources(scaling)
        return resources
    }

    /// Back to `bounds` at the schedule's start, to zero at its stop, on its days, in its time zone.
    private func scheduledActions(_ schedule: DeploySettings.Schedule, bounds: (min: Int, max: Int)) -> JSON {
        func action(_ suffix: String, cron: String, min: Int, max: Int) -> JSON {
            .object([
                ("ScheduledActionName", .string(names.named(suffix))),
                ("Schedule", .string(cron)),
                ("Timezone", .string(schedule.timezone)),
                ("ScalableTargetAction", .object([("MinCapacity", .int(min)), ("MaxCapacity", .int(max))])),
            ])
        }
        return .array([
            action("start", cron: schedule.startCron, min: bounds.min, max: bounds.max),
            action("stop", cron: schedule.stopCron, min: 0, max: 0),
        ])
    }

    private func trackingResources(_ scaling: DeploySettings.Autoscaling) -> [(String, JSON)] {
        var resources: [(String, JSON)] = []
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
