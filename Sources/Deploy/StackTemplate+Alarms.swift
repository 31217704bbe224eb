public import Config

/// CloudWatch alarms on the load balancer's target groups that the service's deployments watch:
/// while one is in alarm during a deployment (up to the end of a canary's or linear deployment's
/// bake time), ECS rolls the deployment back. A deployment that moves traffic has two target
/// groups, and each has its pair of alarms, since the new tasks may be in either.
extension StackTemplate {
    /// The target groups the alarms watch, with the prefix of their alarms' ids and names.
    private static func watchedTargetGroups(_ deploy: DeploySettings) -> [(id: String, prefix: String)] {
        [(id: "TargetGroup", prefix: "")] + (shiftsTraffic(deploy) ? [(id: "AlternateTargetGroup", prefix: "Alternate")] : [])
    }

    /// The logical ids of the alarms a variant's stack has, as the service's deployment
    /// configuration names them.
    public static func alarmIDs(_ deploy: DeploySettings) -> [String] {
        guard deploy.loadBalancer, deploy.alarms != nil else { return [] }
        return watchedTargetGroups(deploy).flatMap { ["\($0.prefix)Target5xxAlarm", "\($0.prefix)UnhealthyHostsAlarm"] }
    }

    var alarmIDs: [String] { Self.alarmIDs(deploy) }

    func alarmResources(_ alarms: DeploySettings.Alarms) -> [(String, JSON)] {
        Self.watchedTargetGroups(deploy).flatMap { group in alarmResources(alarms, targetGroup: group.id, prefix: group.prefix) }
    }

    private func alarmResources(_ alarms: DeploySettings.Alarms, targetGroup: String, prefix: String) -> [(String, JSON)] {
        let dimensions = JSON.array([
            .object([("Name", .string("LoadBalancer")), ("Value", getAtt(StackNames.LogicalID.loadBalancer, "LoadBalancerFullName"))]),
            .object([("Name", .string("TargetGroup")), ("Value", getAtt(targetGroup, "TargetGroupFullName"))]),
        ])
        let namePrefix = prefix.isEmpty ? "" : "alternate-"
        let actions: [(String, JSON)] = alarms.snsTopicARN.map { [("AlarmActions", .array([.string($0)]))] } ?? []
        // An alarm on one of the target group's metrics, at or above `threshold`.
        func alarm(_ suffix: String, _ description: String, metric: String, statistic: String, minutes: Int, threshold: Int) -> JSON {
            resource(
                "AWS::CloudWatch::Alarm",
                [
                    ("AlarmName", .string(names.named(namePrefix + suffix))),
                    ("AlarmDescription", .string("\(name): \(description); rolls a deployment back")),
                    ("Namespace", .string("AWS/ApplicationELB")),
                    ("MetricName", .string(metric)),
                    ("Dimensions", dimensions),
                    ("Statistic", .string(statistic)),
                    ("Period", .int(60)),
                    ("EvaluationPeriods", .int(minutes)),
                    ("Threshold", .int(threshold)),
                    ("ComparisonOperator", .string("GreaterThanOrEqualToThreshold")),
                    ("TreatMissingData", .string("notBreaching")),
                ] + actions
            )
        }
        return [
            (
                "\(prefix)Target5xxAlarm",
                alarm(
                    "target-5xx",
                    "the tasks answered \(alarms.target5xxPerMinute) or more 5xx in a minute",
                    metric: "HTTPCode_Target_5XX_Count",
                    statistic: "Sum",
                    minutes: 1,
                    threshold: alarms.target5xxPerMinute
                )
            ),
            (
                "\(prefix)UnhealthyHostsAlarm",
                alarm(
                    "unhealthy-hosts",
                    "\(alarms.unhealthyHosts) or more tasks failed \(targetHealthCheckPath) for two minutes",
                    metric: "UnHealthyHostCount",
                    statistic: "Maximum",
                    minutes: 2,
                    threshold: alarms.unhealthyHosts
                )
            ),
        ]
    }
}
