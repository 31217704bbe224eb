public import Config

/// CloudWatch alarms on the load balancer's target group that the service's deployments watch:
/// while one is in alarm during a deployment, ECS rolls the deployment back.
extension StackTemplate {
    /// The logical ids of the alarms, as the service's deployment configuration names them.
    static let alarmIDs = ["Target5xxAlarm", "UnhealthyHostsAlarm"]

    func alarmResources(_ alarms: DeploySettings.Alarms) -> [(String, JSON)] {
        let dimensions = JSON.array([
            .object([("Name", .string("LoadBalancer")), ("Value", getAtt(StackNames.LogicalID.loadBalancer, "LoadBalancerFullName"))]),
            .object([("Name", .string("TargetGroup")), ("Value", getAtt("TargetGroup", "TargetGroupFullName"))]),
        ])
        let actions: [(String, JSON)] = alarms.snsTopicARN.map { [("AlarmActions", .array([.string($0)]))] } ?? []
        // An alarm on one of the target group's metrics, at or above `threshold`.
        func alarm(_ suffix: String, _ description: String, metric: String, statistic: String, minutes: Int, threshold: Int) -> JSON {
            resource(
                "AWS::CloudWatch::Alarm",
                [
                    ("AlarmName", .string(names.named(suffix))),
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
                Self.alarmIDs[0],
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
                Self.alarmIDs[1],
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
