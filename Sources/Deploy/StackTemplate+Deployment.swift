import Config

/// A canary or linear deployment (`deploy.strategy`): ECS starts the new tasks in a second target
/// group and moves the listener rule's traffic to it, a share at a time, holding each share for
/// its bake time; the stack's alarms, on both target groups, roll it back until the last bake
/// time is over. ECS moves the traffic with a role of its own, limited to this load balancer.
extension StackTemplate {
    /// The logical id of the listener rule whose weights ECS changes.
    static let servingRuleID = "ServingRule"

    var shiftsTraffic: Bool { Self.shiftsTraffic(deploy) }
    static func shiftsTraffic(_ deploy: DeploySettings) -> Bool { deploy.loadBalancer && deploy.strategy.kind != .rolling }

    /// The listener that serves the game: HTTPS when there is one, else HTTP.
    var servingListenerID: String { deploy.https != nil ? "HTTPSListener" : "Listener" }

    var deploymentResources: [(String, JSON)] {
        guard shiftsTraffic else { return [] }
        return [
            ("AlternateTargetGroup", targetGroup(named: names.alternateTargetGroup)),
            (Self.servingRuleID, servingRule),
            ("LoadBalancerRole", loadBalancerRole),
        ]
    }

    /// Every path to the tasks, weighted between the two target groups (all to the first at rest).
    private var servingRule: JSON {
        resource(
            "AWS::ElasticLoadBalancingV2::ListenerRule",
            [
                ("ListenerArn", ref(servingListenerID)),
                ("Priority", .int(1)),
                (
                    "Conditions",
                    .array([.object([("Field", .string("path-pattern")), ("PathPatternConfig", .object([("Values", .array([.string("/*")]))]))])])
                ),
                (
                    "Actions",
                    .array([
                        .object([
                            ("Type", .string("forward")),
                            (
                                "ForwardConfig",
                                .object([
                                    (
                                        "TargetGroups",
                                        .array([
                                            .object([("TargetGroupArn", ref("TargetGroup")), ("Weight", .int(100))]),
                                            .object([("TargetGroupArn", ref("AlternateTargetGroup")), ("Weight", .int(0))]),
                                        ])
                                    )
                                ])
                            ),
                        ])
                    ])
                ),
            ]
        )
    }

    /// What ECS needs to move traffic (the actions of AWS's managed
    /// `AmazonECSInfrastructureRolePolicyForLoadBalancers`), on this load balancer's listeners and rules.
    private var loadBalancerRole: JSON {
        let balancer = "arn:${AWS::Partition}:elasticloadbalancing:${AWS::Region}:${AWS::AccountId}"
        let owned: JSON = .array(
            ["listener/app/\(names.loadBalancer)/*", "listener-rule/app/\(names.loadBalancer)/*"].map {
                .object([("Fn::Sub", .string("\(balancer):\($0)"))])
            }
        )
        let statements: [JSON] = [
            .object([
                ("Effect", .string("Allow")),
                (
                    "Action",
                    .array(
                        [
                            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeRules",
                            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
                        ]
                        .map(JSON.string)
                    )
                ),
                ("Resource", .string("*")),
            ]),
            .object([
                ("Effect", .string("Allow")),
                ("Action", .array([.string("elasticloadbalancing:ModifyListener"), .string("elasticloadbalancing:ModifyRule")])),
                ("Resource", owned),
            ]),
        ]
        return role(named: names.loadBalancerRole, assumedBy: "ecs.amazonaws.com", policies: [("shift-traffic", statements)])
    }

    /// The service's `DeploymentConfiguration` keys for the strategy (none for rolling).
    var strategyConfiguration: [(String, JSON)] {
        let strategy = deploy.strategy
        guard shiftsTraffic else { return [] }
        var fields: [(String, JSON)] = [("Strategy", .string(strategy.kind.ecsName)), ("BakeTimeInMinutes", .int(strategy.bakeMinutes))]
        let percent = JSON.tenths(Int((strategy.percent * 10).rounded()))
        switch strategy.kind {
        case .canary:
            fields.append(
                ("CanaryConfiguration", .object([("CanaryPercent", percent), ("CanaryBakeTimeInMinutes", .int(strategy.stepBakeMinutes))]))
            )
        case .linear:
            fields.append(("LinearConfiguration", .object([("StepPercent", percent), ("StepBakeTimeInMinutes", .int(strategy.stepBakeMinutes))])))
        case .rolling:
            break
        }
        return fields
    }

    /// The load balancer entry's `AdvancedConfiguration`: the second target group, the rule ECS
    /// reweights and the role it does it with.
    var trafficShiftConfiguration: JSON {
        .object([
            ("AlternateTargetGroupArn", ref("AlternateTargetGroup")),
            ("ProductionListenerRule", ref(Self.servingRuleID)),
            ("RoleArn", getAtt("LoadBalancerRole", "Arn")),
        ])
    }
}
