public import Config

/// The CloudFormation template for one variant: everything the seed clicked together in the
/// console, as one stack, so that teardown is one delete.
///
/// Always: cluster (or an existing one, with Container Insights as the variant says), log group,
/// execution role (unless the variant names one), the service's security group, the task
/// definition from ``TaskDefinition`` (the same model `make taskdefs` writes), and a service with
/// the deployment circuit breaker and rollback. As the variant asks: an Application Load Balancer
/// whose target group checks ``targetHealthCheckPath``, with HTTPS (a 443 listener, port 80
/// redirecting to it) and a Route 53 alias record; Application Auto Scaling on CPU and requests;
/// CloudWatch alarms that roll a deployment back; and the PostgreSQL database with its secret,
/// subnet group, security group and parameter group (`StackTemplate+Database.swift`).
public struct StackTemplate: Sendable {
    public let task: TaskDefinition

    public init(task: TaskDefinition) { self.task = task }

    /// TLS 1.3 and 1.2 only: AWS's recommended policy for new HTTPS listeners.
    static let tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

    var deploy: DeploySettings { task.deploy }

    /// The load balancer's check of each task: `/readyz`, which asks the database, unless the
    /// database pauses when unused (the checks would keep it awake): then `/healthz`.
    var targetHealthCheckPath: String {
        guard let database = deploy.database, database.kind == .auroraServerless, database.minACU == 0 else { return "/readyz" }
        return "/healthz"
    }
    var name: String { task.family }

    /// The task definition's properties in CloudFormation's spelling. Keys inside
    /// `logConfiguration.options` keep their spelling (`awslogs-group`).
    public var taskDefinitionProperties: JSON {
        guard case .object(var fields) = task.registrationJSON.pascalCased else { return .null }
        if let i = fields.firstIndex(where: { $0.0 == "ExecutionRoleArn" }), deploy.executionRoleARN == nil {
            fields[i].1 = .object([("Fn::Sub", .string("arn:aws:iam::${AWS::AccountId}:role/\(name)-execution"))])
        }
        if let i = fields.firstIndex(where: { $0.0 == "ContainerDefinitions" }) {
            var container = Self.restoringLogOptions(task.container)
            if deploy.loadBalancer { container = Self.trustingTheLoadBalancer(container, https: deploy.https != nil) }
            if let database = deploy.database {
                container = Self.adding(environment: databaseEnvironment(database), secrets: databaseSecrets, to: container)
            }
            fields[i].1 = .array([container])
        }
        if let i = fields.firstIndex(where: { $0.0 == "Tags" }) {
            fields[i].1 = task.registrationJSON.field("tags")?.pascalCased ?? .array([])
        }
        return .object(fields)
    }

    /// The container with `TRUSTED_PROXIES` set to the stack's `TrustedProxyCidrs`: the VPC's
    /// blocks, where the load balancer's nodes have their addresses. Only the load balancer's
    /// security group may reach the tasks, so only its `X-Forwarded-For` is ever believed.
    /// With HTTPS on the balancer, also `BEHIND_HTTPS=true`, so that answers carry
    /// `Strict-Transport-Security`.
    private static func trustingTheLoadBalancer(_ container: JSON, https: Bool) -> JSON {
        guard case .object(let fields) = container else { return container }
        var added = [JSON.object([("Name", .string("TRUSTED_PROXIES")), ("Value", .object([("Ref", .string("TrustedProxyCidrs"))]))])]
        if https { added.insert(.object([("Name", .string("BEHIND_HTTPS")), ("Value", .string("true"))]), at: 0) }
        return .object(fields.map { key, value in
            guard key == "Environment", case .array(let entries) = value else { return (key, value) }
            return (key, .array(entries + added))
        })
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
        return .object(fields.map { key, value in
            guard key == "LogConfiguration", case .object(let log) = value else { return (key, value) }
            return (key, .object(log.map { $0.0 == "Options" ? ($0.0, options) : $0 }))
        })
    }

    public var json: JSON {
        var resources: [(String, JSON)] = []
        let port = JSON.int(task.port)
        let ref = { (name: String) in JSON.object([("Ref", .string(name))]) }
        let getAtt = { (resource: String, attribute: String) in JSON.object([("Fn::GetAtt", .array([.string(resource), .string(attribute)]))]) }
        let clusterRef = JSON.object([("Fn::If", .array([.string("CreateCluster"), ref("Cluster"), ref("ClusterName")]))])

        resources.append(("LogGroup", resource("AWS::Logs::LogGroup", [
            ("LogGroupName", .string(deploy.logGroup(variant: task.variant))),
            ("RetentionInDays", .int(deploy.logRetentionDays)),
        ])))
        resources.append(("Cluster", .object([
            ("Type", .string("AWS::ECS::Cluster")),
            ("Condition", .string("CreateCluster")),
            ("Properties", .object([
                ("ClusterName", .string(name)),
                ("ClusterSettings", .array([.object([
                    ("Name", .string("containerInsights")), ("Value", .string(deploy.containerInsights ? "enabled" : "disabled")),
                ])])),
            ])),
        ])))
        if deploy.executionRoleARN == nil {
            var policies: [JSON] = []
            if !deploy.secrets.isEmpty || deploy.database != nil {
                let arns = deploy.secrets.keys.sorted().compactMap { deploy.secrets[$0] }
                var statements: [JSON] = []
                let ssm = arns.filter { $0.hasPrefix("arn:aws:ssm:") }
                let sm = arns.filter { $0.hasPrefix("arn:aws:secretsmanager:") }
                if !ssm.isEmpty {
                    statements.append(.object([("Effect", .string("Allow")), ("Action", .array([.string("ssm:GetParameters")])), ("Resource", .array(ssm.map(JSON.string)))]))
                }
                if !sm.isEmpty {
                    statements.append(.object([("Effect", .string("Allow")), ("Action", .array([.string("secretsmanager:GetSecretValue")])), ("Resource", .array(sm.map(JSON.string)))]))
                }
                if deploy.database != nil { statements.append(databaseSecretStatement) }
                policies.append(.object([
                    ("PolicyName", .string("read-secrets")),
                    ("PolicyDocument", .object([("Version", .string("2012-10-17")), ("Statement", .array(statements))])),
                ]))
            }
            var properties: [(String, JSON)] = [
                ("RoleName", .string("\(name)-execution")),
                ("AssumeRolePolicyDocument", .object([
                    ("Version", .string("2012-10-17")),
                    ("Statement", .array([.object([
                        ("Effect", .string("Allow")),
                        ("Principal", .object([("Service", .string("ecs-tasks.amazonaws.com"))])),
                        ("Action", .string("sts:AssumeRole")),
                    ])])),
                ])),
                ("ManagedPolicyArns", .array([.string("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")])),
            ]
            if !policies.isEmpty { properties.append(("Policies", .array(policies))) }
            resources.append(("ExecutionRole", resource("AWS::IAM::Role", properties)))
        }

        var serviceIngress: [(String, JSON)] = [("IpProtocol", .string("tcp")), ("FromPort", port), ("ToPort", port)]
        if deploy.loadBalancer {
            serviceIngress.append(("SourceSecurityGroupId", getAtt("LoadBalancerSecurityGroup", "GroupId")))
            resources.append(("LoadBalancerSecurityGroup", resource("AWS::EC2::SecurityGroup", [
                ("GroupDescription", .string("\(name): HTTP\(deploy.https != nil ? " and HTTPS" : "") from \(deploy.ingressCIDR) to the load balancer")),
                ("VpcId", ref("VpcId")),
                ("SecurityGroupIngress", .array(([80] + (deploy.https != nil ? [443] : [])).map { listenerPort in
                    .object([("IpProtocol", .string("tcp")), ("FromPort", .int(listenerPort)), ("ToPort", .int(listenerPort)), ("CidrIp", .string(deploy.ingressCIDR))])
                })),
            ])))
            resources.append(("LoadBalancer", resource("AWS::ElasticLoadBalancingV2::LoadBalancer", [
                ("Name", .string(String(name.prefix(32)))),
                ("Scheme", .string("internet-facing")),
                ("Type", .string("application")),
                ("Subnets", ref("SubnetIds")),
                ("SecurityGroups", .array([getAtt("LoadBalancerSecurityGroup", "GroupId")])),
            ])))
            resources.append(("TargetGroup", resource("AWS::ElasticLoadBalancingV2::TargetGroup", [
                ("Name", .string(String(name.prefix(32)))),
                ("TargetType", .string("ip")),
                ("Protocol", .string("HTTP")),
                ("Port", port),
                ("VpcId", ref("VpcId")),
                ("HealthCheckPath", .string(targetHealthCheckPath)),
                ("HealthCheckIntervalSeconds", .int(10)),
                ("HealthyThresholdCount", .int(2)),
                ("UnhealthyThresholdCount", .int(3)),
                ("Matcher", .object([("HttpCode", .string("200"))])),
                ("TargetGroupAttributes", .array([.object([("Key", .string("deregistration_delay.timeout_seconds")), ("Value", .string(String(task.stopTimeout)))])])),
            ])))
            let forward = JSON.array([.object([("Type", .string("forward")), ("TargetGroupArn", ref("TargetGroup"))])])
            if let https = deploy.https {
                resources.append(("Listener", resource("AWS::ElasticLoadBalancingV2::Listener", [
                    ("LoadBalancerArn", ref("LoadBalancer")),
                    ("Port", .int(80)),
                    ("Protocol", .string("HTTP")),
                    ("DefaultActions", .array([.object([
                        ("Type", .string("redirect")),
                        ("RedirectConfig", .object([("Protocol", .string("HTTPS")), ("Port", .string("443")), ("StatusCode", .string("HTTP_301"))])),
                    ])])),
                ])))
                resources.append(("HTTPSListener", resource("AWS::ElasticLoadBalancingV2::Listener", [
                    ("LoadBalancerArn", ref("LoadBalancer")),
                    ("Port", .int(443)),
                    ("Protocol", .string("HTTPS")),
                    ("SslPolicy", .string(Self.tlsPolicy)),
                    ("Certificates", .array([.object([("CertificateArn", .string(https.certificateARN))])])),
                    ("DefaultActions", forward),
                ])))
                if let zone = https.hostedZoneID, let domain = https.domain {
                    resources.append(("DomainRecord", resource("AWS::Route53::RecordSet", [
                        ("HostedZoneId", .string(zone)),
                        ("Name", .string(domain)),
                        ("Type", .string("A")),
                        ("AliasTarget", .object([
                            ("DNSName", getAtt("LoadBalancer", "DNSName")),
                            ("HostedZoneId", getAtt("LoadBalancer", "CanonicalHostedZoneID")),
                        ])),
                    ])))
                }
            } else {
                resources.append(("Listener", resource("AWS::ElasticLoadBalancingV2::Listener", [
                    ("LoadBalancerArn", ref("LoadBalancer")),
                    ("Port", .int(80)),
                    ("Protocol", .string("HTTP")),
                    ("DefaultActions", forward),
                ])))
            }
            if let alarms = deploy.alarms {
                let dimensions = JSON.array([
                    .object([("Name", .string("LoadBalancer")), ("Value", getAtt("LoadBalancer", "LoadBalancerFullName"))]),
                    .object([("Name", .string("TargetGroup")), ("Value", getAtt("TargetGroup", "TargetGroupFullName"))]),
                ])
                let actions: [(String, JSON)] = alarms.snsTopicARN.map { [("AlarmActions", .array([.string($0)]))] } ?? []
                // An alarm on one of the target group's metrics, at or above `threshold`.
                func alarm(_ suffix: String, _ description: String, metric: String, statistic: String, minutes: Int, threshold: Int) -> JSON {
                    resource("AWS::CloudWatch::Alarm", [
                        ("AlarmName", .string("\(name)-\(suffix)")),
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
                    ] + actions)
                }
                resources.append(("Target5xxAlarm", alarm(
                    "target-5xx", "the tasks answered \(alarms.target5xxPerMinute) or more 5xx in a minute",
                    metric: "HTTPCode_Target_5XX_Count", statistic: "Sum", minutes: 1, threshold: alarms.target5xxPerMinute)))
                resources.append(("UnhealthyHostsAlarm", alarm(
                    "unhealthy-hosts", "\(alarms.unhealthyHosts) or more tasks failed \(targetHealthCheckPath) for two minutes",
                    metric: "UnHealthyHostCount", statistic: "Maximum", minutes: 2, threshold: alarms.unhealthyHosts)))
            }
        } else {
            serviceIngress.append(("CidrIp", .string(deploy.ingressCIDR)))
        }
        resources.append(("ServiceSecurityGroup", resource("AWS::EC2::SecurityGroup", [
            ("GroupDescription", .string("\(name): port \(task.port) for the game")),
            ("VpcId", ref("VpcId")),
            ("SecurityGroupIngress", .array([.object(serviceIngress)])),
        ])))
        if let database = deploy.database { resources += databaseResources(database) }
        var taskDefinition: [(String, JSON)] = [("Type", .string("AWS::ECS::TaskDefinition"))]
        if deploy.executionRoleARN == nil { taskDefinition.append(("DependsOn", .array([.string("ExecutionRole"), .string("LogGroup")]))) }
        taskDefinition.append(("Properties", taskDefinitionProperties))
        resources.append(("TaskDefinition", .object(taskDefinition)))

        var service: [(String, JSON)] = [
            ("ServiceName", .string(name)),
            ("Cluster", clusterRef),
            ("LaunchType", .string("FARGATE")),
            ("TaskDefinition", ref("TaskDefinition")),
            ("DesiredCount", .int(deploy.desiredCount)),
            ("DeploymentConfiguration", .object([
                ("DeploymentCircuitBreaker", .object([("Enable", .bool(true)), ("Rollback", .bool(true))])),
                ("MaximumPercent", .int(200)),
                ("MinimumHealthyPercent", .int(100)),
            ] + (deploy.alarms != nil ? [
                ("Alarms", .object([
                    ("AlarmNames", .array([ref("Target5xxAlarm"), ref("UnhealthyHostsAlarm")])),
                    ("Enable", .bool(true)),
                    ("Rollback", .bool(true)),
                ])),
            ] : []))),
            ("NetworkConfiguration", .object([("AwsvpcConfiguration", .object([
                ("AssignPublicIp", .string("ENABLED")),
                ("Subnets", ref("SubnetIds")),
                ("SecurityGroups", .array([getAtt("ServiceSecurityGroup", "GroupId")])),
            ]))])),
            ("PropagateTags", .string("TASK_DEFINITION")),
        ]
        var serviceResource: [(String, JSON)] = [("Type", .string("AWS::ECS::Service"))]
        if deploy.loadBalancer {
            service.append(("HealthCheckGracePeriodSeconds", .int(max(30, deploy.healthCheck.startPeriodSeconds))))
            service.append(("LoadBalancers", .array([.object([
                ("ContainerName", .string(TaskDefinition.containerName)),
                ("ContainerPort", port),
                ("TargetGroupArn", ref("TargetGroup")),
            ])])))
            serviceResource.append(("DependsOn", .array([.string("Listener")] + (deploy.https != nil ? [.string("HTTPSListener")] : []))))
        }
        serviceResource.append(("Properties", .object(service)))
        resources.append(("Service", .object(serviceResource)))

        if let scaling = deploy.autoscaling {
            resources.append(("ScalableTarget", resource("AWS::ApplicationAutoScaling::ScalableTarget", [
                ("MinCapacity", .int(scaling.min)),
                ("MaxCapacity", .int(scaling.max)),
                ("ResourceId", .object([("Fn::Join", .array([.string("/"), .array([.string("service"), clusterRef, getAtt("Service", "Name")])]))])),
                ("ScalableDimension", .string("ecs:service:DesiredCount")),
                ("ServiceNamespace", .string("ecs")),
            ])))
            // A target-tracking policy on one predefined metric.
            func tracking(_ suffix: String, _ metric: [(String, JSON)], target: Int) -> JSON {
                resource("AWS::ApplicationAutoScaling::ScalingPolicy", [
                    ("PolicyName", .string("\(name)-\(suffix)")),
                    ("PolicyType", .string("TargetTrackingScaling")),
                    ("ScalingTargetId", ref("ScalableTarget")),
                    ("TargetTrackingScalingPolicyConfiguration", .object([
                        ("PredefinedMetricSpecification", .object(metric)),
                        ("TargetValue", .int(target)),
                        ("ScaleInCooldown", .int(120)),
                        ("ScaleOutCooldown", .int(60)),
                    ])),
                ])
            }
            if let cpu = scaling.cpuPercent {
                resources.append(("CPUScalingPolicy", tracking(
                    "cpu", [("PredefinedMetricType", .string("ECSServiceAverageCPUUtilization"))], target: cpu)))
            }
            if let requests = scaling.requestsPerTarget {
                resources.append(("RequestsScalingPolicy", tracking("requests", [
                    ("PredefinedMetricType", .string("ALBRequestCountPerTarget")),
                    ("ResourceLabel", .object([("Fn::Join", .array([.string("/"), .array([
                        getAtt("LoadBalancer", "LoadBalancerFullName"), getAtt("TargetGroup", "TargetGroupFullName"),
                    ])]))])),
                ], target: requests)))
            }
        }

        var outputs: [(String, JSON)] = [
            ("ClusterName", .object([("Value", clusterRef)])),
            ("ServiceName", .object([("Value", getAtt("Service", "Name"))])),
            ("TaskDefinitionArn", .object([("Value", ref("TaskDefinition"))])),
            ("LogGroup", .object([("Value", ref("LogGroup"))])),
            ("Port", .object([("Value", .string(String(task.port)))])),
        ]
        if deploy.database != nil { outputs += databaseOutputs }
        if let domain = deploy.https?.domain {
            outputs.append(("URL", .object([("Value", .string("https://\(domain)/"))])))
        } else if deploy.loadBalancer {
            let scheme = deploy.https != nil ? "https" : "http"
            outputs.append(("URL", .object([("Value", .object([("Fn::Sub", .string("\(scheme)://${LoadBalancer.DNSName}/"))]))])))
        }

        return .object([
            ("AWSTemplateFormatVersion", .string("2010-09-09")),
            ("Description", .string("tictactoe variant \(task.variant) on ECS Fargate (\(task.architecture.rawValue)); rendered by tictactoe stack from variants/\(task.variant).yaml")),
            ("Parameters", .object([
                ("VpcId", .object([("Type", .string("AWS::EC2::VPC::Id")), ("Description", .string("The VPC of the subnets"))])),
                ("SubnetIds", .object([("Type", .string("List<AWS::EC2::Subnet::Id>")), ("Description", .string("Public subnets for the tasks\(deploy.loadBalancer ? " and the load balancer (two zones at least)" : "")"))])),
                ("ClusterName", .object([("Type", .string("String")), ("Default", .string(deploy.cluster ?? "")), ("Description", .string("An existing cluster, or empty to create one"))])),
            ] + (deploy.loadBalancer ? [
                ("TrustedProxyCidrs", .object([
                    ("Type", .string("String")),
                    ("Default", .string("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")),
                    ("Description", .string("The VPC's CIDR blocks, comma-separated: the load balancer's addresses, whose X-Forwarded-For the server believes (make deploy passes the VPC's)")),
                ])),
            ] : []))),
            ("Conditions", .object([
                ("CreateCluster", .object([("Fn::Equals", .array([ref("ClusterName"), .string("")]))])),
            ])),
            ("Resources", .object(resources)),
            ("Outputs", .object(outputs)),
        ])
    }

    func resource(_ type: String, _ properties: [(String, JSON)]) -> JSON {
        .object([("Type", .string(type)), ("Properties", .object(properties))])
    }
}

extension JSON {
    /// The value under `key` of an object.
    public func field(_ key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }
}
