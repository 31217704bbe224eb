/// What the stack reports back: cluster, service, task definition, log group and port; the
/// database's endpoint and secret; and the address to play at.
extension StackTemplate {
    var outputs: [(String, JSON)] {
        var outputs: [(String, JSON)] = [
            ("ClusterName", .object([("Value", clusterRef)])),
            ("ServiceName", .object([("Value", getAtt("Service", "Name"))])),
            ("TaskDefinitionArn", .object([("Value", ref("TaskDefinition"))])),
            ("LogGroup", .object([("Value", ref("LogGroup"))])),
            ("Port", .object([("Value", .string(String(task.port)))])),
        ]
        if deploy.database != nil { outputs += databaseOutputs }
        outputs.append(
            (
                "DashboardURL",
                .object([
                    (
                        "Value",
                        .object([
                            (
                                "Fn::Sub",
                                .string(
                                    "https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards/dashboard/\(names.dashboard)"
                                )
                            )
                        ])
                    )
                ])
            )
        )
        if let domain = deploy.https?.domain {
            outputs.append(("URL", .object([("Value", .string("https://\(domain)/"))])))
        } else if deploy.loadBalancer {
            let scheme = deploy.https != nil ? "https" : "http"
            outputs.append(("URL", .object([("Value", .object([("Fn::Sub", .string("\(scheme)://${LoadBalancer.DNSName}/"))]))])))
        }
        return outputs
    }
}
