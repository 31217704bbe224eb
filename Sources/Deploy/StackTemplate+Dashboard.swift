import Config
import MetricCatalog

/// A CloudWatch dashboard of the variant: what players did (games started, moves, the move's
/// latency at p50 and p99, refusals by reason) from the metrics the server writes, named by
/// ``MetricCatalog``; and what AWS measures (5xx answers, healthy tasks, CPU and memory, the
/// database's connections and capacity). The game's widgets are there only when the server writes
/// metrics (`server.metrics.format: emf`).
extension StackTemplate {
    var dashboardResources: [(String, JSON)] {
        var variables: [(String, JSON)] = [("Cluster", clusterRef), ("Service", getAtt("Service", "Name"))]
        if deploy.loadBalancer { variables.append(("Balancer", getAtt(StackNames.LogicalID.loadBalancer, "LoadBalancerFullName"))) }
        if let database = deploy.database { variables.append(("Database", ref(StackNames.LogicalID.database(database.kind)))) }
        let body = JSON.object([("widgets", .array(dashboardWidgets.enumerated().map { widget($0.element, index: $0.offset) }))])
        return [
            (
                "Dashboard",
                resource(
                    "AWS::CloudWatch::Dashboard",
                    [
                        ("DashboardName", .string(names.dashboard)),
                        ("DashboardBody", .object([("Fn::Sub", .array([.string(body.rendered), .object(variables)]))])),
                    ]
                )
            )
        ]
    }

    /// One graph: its title, what it plots, and the unit of its left axis.
    struct DashboardWidget {
        var title: String
        var metrics: [JSON]
        var stat = "Sum"
    }

    /// The widgets in order; `${Name}` placeholders are filled by `Fn::Sub` with the stack's own
    /// names (cluster, service, balancer, database).
    var dashboardWidgets: [DashboardWidget] {
        var widgets: [DashboardWidget] = []
        if settings.server.metrics.format == .emf {
            widgets += [
                DashboardWidget(title: "Games started", metrics: [search(MetricCatalog.gamesCreated, id: "games")]),
                DashboardWidget(title: "Moves", metrics: [search(MetricCatalog.moves, id: "moves")]),
                DashboardWidget(
                    title: "Move latency (ms)",
                    metrics: ["p50", "p99"].map { stat in
                        metric(
                            namespace,
                            MetricCatalog.requestDuration,
                            values: [MetricCatalog.moveRoute, "POST", "200"],
                            options: [("stat", .string(stat)), ("label", .string("move \(stat)"))]
                        )
                    },
                    stat: "p50"
                ),
                DashboardWidget(title: "Refusals by reason", metrics: [search(MetricCatalog.refusals, id: "refusals")]),
            ]
        }
        let service = ["ClusterName", "${Cluster}", "ServiceName", "${Service}"]
        if deploy.loadBalancer {
            widgets += [
                DashboardWidget(
                    title: "5xx answers",
                    metrics: [.array(["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", "${Balancer}"].map(JSON.string))]
                ),
                // Both target groups' tasks (a canary's new ones are in the second), by the balancer.
                DashboardWidget(
                    title: "Healthy tasks",
                    metrics: [
                        .array([
                            .object([
                                (
                                    "expression",
                                    .string(
                                        "SEARCH('{AWS/ApplicationELB,LoadBalancer,TargetGroup} MetricName=\"HealthyHostCount\" LoadBalancer=\"${Balancer}\"', 'Minimum', 60)"
                                    )
                                ),
                                ("id", .string("healthy")),
                            ])
                        ])
                    ],
                    stat: "Minimum"
                ),
            ]
        } else {
            widgets.append(
                DashboardWidget(
                    title: "Running tasks",
                    metrics: [.array((["ECS/ContainerInsights", "RunningTaskCount"] + service).map(JSON.string))],
                    stat: "Minimum"
                )
            )
        }
        widgets.append(
            DashboardWidget(
                title: "CPU and memory (%)",
                metrics: ["CPUUtilization", "MemoryUtilization"].map { .array((["AWS/ECS", $0] + service).map(JSON.string)) },
                stat: "Average"
            )
        )
        if let database = deploy.database {
            let identifier = [database.kind == .auroraServerless ? "DBClusterIdentifier" : "DBInstanceIdentifier", "${Database}"]
            widgets.append(
                DashboardWidget(
                    title: "Database connections",
                    metrics: [.array((["AWS/RDS", "DatabaseConnections"] + identifier).map(JSON.string))],
                    stat: "Maximum"
                )
            )
            if database.kind == .auroraServerless {
                widgets.append(
                    DashboardWidget(
                        title: "Database capacity (ACU)",
                        metrics: [.array((["AWS/RDS", "ServerlessDatabaseCapacity"] + identifier).map(JSON.string))],
                        stat: "Average"
                    )
                )
            }
        }
        return widgets
    }

    private var namespace: String { settings.server.metrics.namespace }

    /// Every series of `metric`, one per value of its dimensions: new reasons or opponents appear
    /// without changing the dashboard.
    private func search(_ metric: MetricCatalog.Metric, id: String) -> JSON {
        let schema = ([namespace] + metric.dimensions).joined(separator: ",")
        return .array([
            .object([
                ("expression", .string("SEARCH('{\(schema)} MetricName=\"\(metric.name)\"', 'Sum', 60)")),
                ("id", .string(id)),
            ])
        ])
    }

    private func metric(_ namespace: String, _ metric: MetricCatalog.Metric, values: [String], options: [(String, JSON)]) -> JSON {
        var items: [JSON] = [.string(namespace), .string(metric.name)]
        for (name, value) in zip(metric.dimensions, values) { items += [.string(name), .string(value)] }
        return .array(items + [.object(options)])
    }

    /// Two graphs a row, each 12 wide and 6 high.
    private func widget(_ widget: DashboardWidget, index: Int) -> JSON {
        .object([
            ("type", .string("metric")),
            ("x", .int(index % 2 * 12)),
            ("y", .int(index / 2 * 6)),
            ("width", .int(12)),
            ("height", .int(6)),
            (
                "properties",
                .object([
                    ("title", .string(widget.title)),
                    ("region", .string("${AWS::Region}")),
                    ("stat", .string(widget.stat)),
                    ("period", .int(60)),
                    ("view", .string("timeSeries")),
                    ("metrics", .array(widget.metrics)),
                ])
            ),
        ])
    }
}
