import Config

/// The CloudFormation template for one variant: everything the seed clicked together in the
/// console, as one stack, so that teardown is one delete.
///
/// Built from parts, each in the file named after what it adds, in this order:
/// - `+Cluster`: the log group, the cluster (unless the variant names one, with Container Insights
///   as it says) and the execution role (unless the variant names one);
/// - `+LoadBalancer`: an Application Load Balancer and its security group, a target group that
///   checks ``targetHealthCheckPath``, listeners (with HTTPS: 443, and port 80 redirecting to it)
///   and a Route 53 alias record;
/// - `+Alarms`: CloudWatch alarms on the target group that roll a deployment back;
/// - `+Network`: the service's security group;
/// - `+Database`: the PostgreSQL database with its secret, subnet group and security group;
/// - `+Service`: the task definition from ``TaskDefinition`` (the same model `make taskdefs`
///   writes) and a service with the deployment circuit breaker and rollback;
/// - `+Exec`: with `deploy.exec`, the task role and the cluster's session logging for ECS Exec;
/// - `+Deployment`: with a canary or linear `deploy.strategy`, the second target group, the
///   listener rule ECS reweights and the role it does it with;
/// - `+Scaling`: Application Auto Scaling on CPU and requests, and `deploy.schedule`'s hours;
/// - `+Dashboard`: the CloudWatch dashboard of the game, the service and the database;
/// - `+Outputs`: what `make` and people read back (cluster, service, URL, database endpoint).
///
/// Every AWS name comes from ``StackNames``.
public struct StackTemplate: Sendable {
    public let task: TaskDefinition

    public init(task: TaskDefinition) { self.task = task }

    var deploy: DeploySettings { task.deploy }
    var settings: Settings { task.settings }
    var names: StackNames { task.names }
    var name: String { names.stack }

    public var json: JSON {
        var resources = clusterResources + execResources
        if deploy.loadBalancer {
            resources += loadBalancerResources + deploymentResources
            if let alarms = deploy.alarms { resources += alarmResources(alarms) }
        }
        resources.append((StackNames.LogicalID.serviceSecurityGroup, serviceSecurityGroup))
        if let database = deploy.database { resources += databaseResources(database) }
        resources += serviceResources
        if deploy.autoscaling != nil || deploy.schedule != nil { resources += scalingResources }
        resources += dashboardResources

        return .object([
            ("AWSTemplateFormatVersion", .string("2010-09-09")),
            (
                "Description",
                .string(
                    "tictactoe variant \(task.variant) on ECS Fargate (\(task.architecture.rawValue)); rendered by tictactoe stack from variants/\(task.variant).yaml"
                )
            ),
            ("Parameters", .object(parameters)),
            (
                "Conditions",
                .object([
                    ("CreateCluster", .object([("Fn::Equals", .array([ref("ClusterName"), .string("")]))])),
                    (
                        Self.pinnedImageCondition,
                        .object([
                            ("Fn::Not", .array([.object([("Fn::Equals", .array([ref(StackNames.LogicalID.imageDigestParameter), .string("")]))])]))
                        ])
                    ),
                ])
            ),
            ("Resources", .object(resources)),
            ("Outputs", .object(outputs)),
        ])
    }

    /// What `make deploy` passes: the network, an existing cluster, behind a load balancer the
    /// VPC's address blocks, and with a database the blocks of its subnets.
    var parameters: [(String, JSON)] {
        var parameters: [(String, JSON)] = [
            ("VpcId", .object([("Type", .string("AWS::EC2::VPC::Id")), ("Description", .string("The VPC of the subnets"))])),
            (
                "SubnetIds",
                .object([
                    ("Type", .string("List<AWS::EC2::Subnet::Id>")),
                    (
                        "Description",
                        .string("Public subnets for the tasks\(deploy.loadBalancer ? " and the load balancer (two zones at least)" : "")")
                    ),
                ])
            ),
            (
                "ClusterName",
                .object([
                    ("Type", .string("String")), ("Default", .string(deploy.cluster ?? "")),
                    ("Description", .string("An existing cluster, or empty to create one")),
                ])
            ),
        ]
        if deploy.loadBalancer {
            parameters.append(
                (
                    StackNames.LogicalID.trustedProxiesParameter,
                    .object([
                        ("Type", .string("String")),
                        ("Default", .string("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16")),
                        (
                            "Description",
                            .string(
                                "The VPC's CIDR blocks, comma-separated: the load balancer's addresses, whose X-Forwarded-For the server believes (make deploy passes the VPC's)"
                            )
                        ),
                    ])
                )
            )
        }
        if deploy.database != nil { parameters.append(databaseSubnetsParameter) }
        parameters += releaseParameters
        return parameters
    }

    /// The image and release the service runs: a digest of the image repository (`make deploy`
    /// pins the one its tag names; `make rollback` an earlier one), and the release's version. The
    /// template stays the same from release to release, so `make diff` shows the variant's changes only.
    var releaseParameters: [(String, JSON)] {
        [
            (
                StackNames.LogicalID.imageDigestParameter,
                .object([
                    ("Type", .string("String")),
                    ("Default", .string(task.digest ?? "")),
                    ("AllowedPattern", .string("^(sha256:[0-9a-f]{64})?$")),
                    ("Description", .string("The image's digest in \(task.imageRepository) (empty: its tag \(task.imageTag))")),
                ])
            ),
            (
                StackNames.LogicalID.releaseParameter,
                .object([
                    ("Type", .string("String")),
                    ("Default", .string("unreleased")),
                    ("AllowedPattern", .string("^[A-Za-z0-9._+-]{1,128}$")),
                    ("Description", .string("The version of the release the digest belongs to")),
                ])
            ),
        ]
    }

    static let pinnedImageCondition = "PinnedImage"

    func resource(_ type: String, _ properties: [(String, JSON)]) -> JSON {
        .object([("Type", .string(type)), ("Properties", .object(properties))])
    }

    func ref(_ name: String) -> JSON { .object([("Ref", .string(name))]) }

    func getAtt(_ resource: String, _ attribute: String) -> JSON {
        .object([("Fn::GetAtt", .array([.string(resource), .string(attribute)]))])
    }

    /// The cluster the stack created, or the one the `ClusterName` parameter names.
    var clusterRef: JSON { .object([("Fn::If", .array([.string("CreateCluster"), ref("Cluster"), ref("ClusterName")]))]) }
}

extension JSON {
    /// The value under `key` of an object.
    public func field(_ key: String) -> JSON? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    /// The item at `index` of an array.
    public func element(_ index: Int) -> JSON? {
        guard case .array(let items) = self, items.indices.contains(index) else { return nil }
        return items[index]
    }
}
