/// An internet-facing Application Load Balancer in front of the tasks: its security group (80,
/// and 443 with HTTPS, from `deploy.ingress_cidr`), a target group of the tasks' addresses,
/// listeners (with HTTPS: 443 with the variant's certificate, and 80 redirecting to it) and, with
/// a domain and hosted zone, a Route 53 alias record.
extension StackTemplate {
    /// TLS 1.3 and 1.2 only: AWS's recommended policy for new HTTPS listeners.
    static let tlsPolicy = "ELBSecurityPolicy-TLS13-1-2-2021-06"

    /// The load balancer's check of each task: `/readyz`, which asks the database, unless the
    /// database pauses when unused (the checks would keep it awake): then `/healthz`.
    var targetHealthCheckPath: String {
        guard let database = deploy.database, database.kind == .auroraServerless, database.minACU == 0 else { return "/readyz" }
        return "/healthz"
    }

    var loadBalancerResources: [(String, JSON)] {
        var resources: [(String, JSON)] = [
            ("LoadBalancerSecurityGroup", loadBalancerSecurityGroup),
            (StackNames.LogicalID.loadBalancer, loadBalancer),
            ("TargetGroup", targetGroup(named: names.loadBalancer)),
        ]
        resources += listenerResources
        if let https = deploy.https, let zone = https.hostedZoneID, let domain = https.domain {
            resources.append(("DomainRecord", domainRecord(zone: zone, domain: domain)))
        }
        return resources
    }

    /// 80, and 443 with HTTPS, from `deploy.ingress_cidr`.
    private var loadBalancerSecurityGroup: JSON {
        resource(
            "AWS::EC2::SecurityGroup",
            [
                (
                    "GroupDescription",
                    .string("\(name): HTTP\(deploy.https != nil ? " and HTTPS" : "") from \(deploy.ingressCIDR) to the load balancer")
                ),
                ("VpcId", ref("VpcId")),
                (
                    "SecurityGroupIngress",
                    .array(
                        ([80] + (deploy.https != nil ? [443] : [])).map { listenerPort in
                            .object([
                                ("IpProtocol", .string("tcp")), ("FromPort", .int(listenerPort)), ("ToPort", .int(listenerPort)),
                                ("CidrIp", .string(deploy.ingressCIDR)),
                            ])
                        }
                    )
                ),
            ]
        )
    }

    private var loadBalancer: JSON {
        resource(
            "AWS::ElasticLoadBalancingV2::LoadBalancer",
            [
                ("Name", .string(names.loadBalancer)),
                ("Scheme", .string("internet-facing")),
                ("Type", .string("application")),
                ("Subnets", ref("SubnetIds")),
                ("SecurityGroups", .array([getAtt("LoadBalancerSecurityGroup", "GroupId")])),
                // Header fields that are not valid HTTP never reach a task.
                (
                    "LoadBalancerAttributes",
                    .array([.object([("Key", .string("routing.http.drop_invalid_header_fields.enabled")), ("Value", .string("true"))])])
                ),
            ]
        )
    }

    /// The tasks' addresses, checked every 10 s; a task leaving is drained for its stop timeout.
    func targetGroup(named groupName: String) -> JSON {
        resource(
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            [
                ("Name", .string(groupName)),
                ("TargetType", .string("ip")),
                ("Protocol", .string("HTTP")),
                ("Port", .int(task.port)),
                ("VpcId", ref("VpcId")),
                ("HealthCheckPath", .string(targetHealthCheckPath)),
                ("HealthCheckIntervalSeconds", .int(10)),
                ("HealthyThresholdCount", .int(2)),
                ("UnhealthyThresholdCount", .int(3)),
                ("Matcher", .object([("HttpCode", .string("200"))])),
                (
                    "TargetGroupAttributes",
                    .array([
                        .object([("Key", .string("deregistration_delay.timeout_seconds")), ("Value", .string(String(task.stopTimeout)))])
                    ])
                ),
            ]
        )
    }

    /// Port 80 forwarding; with HTTPS, port 80 redirecting to 443, which forwards.
    private var listenerResources: [(String, JSON)] {
        let forward = JSON.array([.object([("Type", .string("forward")), ("TargetGroupArn", ref("TargetGroup"))])])
        guard let https = deploy.https else { return [("Listener", listener(port: 80, protocol: "HTTP", [("DefaultActions", forward)]))] }
        var resources: [(String, JSON)] = []
        resources.append(
            (
                "Listener",
                listener(
                    port: 80,
                    protocol: "HTTP",
                    [
                        (
                            "DefaultActions",
                            .array([
                                .object([
                                    ("Type", .string("redirect")),
                                    (
                                        "RedirectConfig",
                                        .object([("Protocol", .string("HTTPS")), ("Port", .string("443")), ("StatusCode", .string("HTTP_301"))])
                                    ),
                                ])
                            ])
                        )
                    ]
                )
            )
        )
        resources.append(
            (
                "HTTPSListener",
                listener(
                    port: 443,
                    protocol: "HTTPS",
                    [
                        ("SslPolicy", .string(Self.tlsPolicy)),
                        ("Certificates", .array([.object([("CertificateArn", .string(https.certificateARN))])])),
                        ("DefaultActions", forward),
                    ]
                )
            )
        )
        return resources
    }

    /// The domain's alias `A` record on the load balancer.
    private func domainRecord(zone: String, domain: String) -> JSON {
        resource(
            "AWS::Route53::RecordSet",
            [
                ("HostedZoneId", .string(zone)),
                ("Name", .string(domain)),
                ("Type", .string("A")),
                (
                    "AliasTarget",
                    .object([
                        ("DNSName", getAtt(StackNames.LogicalID.loadBalancer, "DNSName")),
                        ("HostedZoneId", getAtt(StackNames.LogicalID.loadBalancer, "CanonicalHostedZoneID")),
                    ])
                ),
            ]
        )
    }

    private func listener(port: Int, protocol: String, _ properties: [(String, JSON)]) -> JSON {
        resource(
            "AWS::ElasticLoadBalancingV2::Listener",
            [
                ("LoadBalancerArn", ref(StackNames.LogicalID.loadBalancer)),
                ("Port", .int(port)),
                ("Protocol", .string(`protocol`)),
            ] + properties
        )
    }
}
