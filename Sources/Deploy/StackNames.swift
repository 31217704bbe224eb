public import Config

/// Every name a variant's deployment has in AWS, and the logical ids of the stack's resources
/// that scripts ask CloudFormation about: the one place they are made. ``TaskDefinition`` and
/// ``StackTemplate`` render them; `tictactoe variant facts` prints them for `make`.
public struct StackNames: Sendable {
    public let variant: String
    public let deploy: DeploySettings

    public init(variant: String, deploy: DeploySettings) {
        self.variant = variant
        self.deploy = deploy
    }

    /// The stack, and the task definition family and service in it: `tictactoe-VARIANT`.
    public var stack: String { "tictactoe-\(variant)" }
    public var family: String { stack }
    public var service: String { stack }
    /// The cluster the service runs in: the variant's `deploy.cluster`, else the one the stack
    /// creates under the stack's name.
    public var cluster: String { deploy.cluster ?? stack }
    /// The execution role the stack creates when the variant names none.
    public var createdExecutionRole: String { "\(stack)-execution" }
    /// The execution role the tasks use, by ARN, in `account`.
    public func executionRoleARN(account: String) -> String {
        deploy.executionRoleARN ?? "arn:aws:iam::\(account):role/\(createdExecutionRole)"
    }
    /// The task role the stack creates for ECS Exec when the variant names none.
    public var createdTaskRole: String { "\(stack)-task" }
    /// The role the server's process runs as: the variant's, else with ECS Exec the stack's, else none.
    public func taskRoleARN(account: String) -> String? {
        deploy.taskRoleARN ?? (deploy.exec ? "arn:aws:iam::\(account):role/\(createdTaskRole)" : nil)
    }
    /// The role ECS uses to move the load balancer's traffic in a canary or linear deployment.
    public var loadBalancerRole: String { "\(stack)-traffic" }
    public var logGroup: String { deploy.logGroup(variant: variant) }
    /// The CloudWatch dashboard of the service, the database and the game.
    public var dashboard: String { stack }
    /// The SSM parameter whose history is the list of releases deployed (`make releases`).
    public var releasesParameter: String { "/tictactoe/\(variant)/release" }
    /// The managed policy every role the stack creates has as its permissions boundary, one per
    /// account for every variant; `iam/role-boundary.json` is its document and
    /// `iam/deployer-policy.json` lets a deployer create roles only with it.
    public static let roleBoundaryPolicy = "tictactoe-role-boundary"
    /// The load balancer's and target group's name: AWS allows 32 characters.
    public var loadBalancer: String { String(stack.prefix(32)) }
    /// The second target group a canary or linear deployment moves traffic to.
    public var alternateTargetGroup: String { String(stack.prefix(28)) + "-alt" }
    /// A CloudWatch alarm's or scaling policy's name, such as `tictactoe-shared-target-5xx`.
    public func named(_ suffix: String) -> String { "\(stack)-\(suffix)" }

    /// Logical ids in the stack's template.
    public enum LogicalID {
        public static let loadBalancer = "LoadBalancer"
        public static let serviceSecurityGroup = "ServiceSecurityGroup"
        public static let trustedProxiesParameter = "TrustedProxyCidrs"
        public static let databaseSubnetsParameter = "DatabaseSubnetCidrs"
        /// The image digest the service runs (empty: the variant's moving tag), and the release's
        /// version: the two parameters a rollback changes.
        public static let imageDigestParameter = "ImageDigest"
        public static let releaseParameter = "Release"
        /// The resource whose replacement would move the games to an empty database.
        public static func database(_ kind: DatabaseSettings.Kind) -> String {
            kind == .auroraServerless ? "DatabaseCluster" : "Database"
        }
    }
}
