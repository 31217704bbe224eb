/// A variant's deployment on ECS Fargate: the `deploy:` section. The server ignores it; image
/// builds read ``architectures`` and the task-definition renderer reads the rest.
public struct DeploySettings: Hashable, Sendable {
    public enum Architecture: String, Hashable, Sendable, CaseIterable {
        case amd64, arm64

        /// The name ECS uses in `runtimePlatform.cpuArchitecture`.
        public var ecsName: String { self == .amd64 ? "X86_64" : "ARM64" }
        /// What `uname -m` and target triples call it: `x86_64` or `aarch64`.
        public var machine: String { self == .amd64 ? "x86_64" : "aarch64" }
        /// The ELF header's `e_machine` of its executables (62 x86-64, 183 AArch64).
        public var elfMachine: Int { self == .amd64 ? 62 : 183 }
        /// The target triple of the Static Linux SDK (musl) for it, which image builds use by default.
        public var staticSDK: String { "\(machine)-swift-linux-musl" }
    }

    /// Images built for this variant.
    public var architectures: [Architecture] = [.amd64]
    /// The architecture the service runs on.
    public var runOn: Architecture = .amd64
    /// Fargate task CPU units and memory in MiB; the pair must be one Fargate offers.
    public var cpu = 256
    public var memory = 512
    public var desiredCount = 1
    public var logGroup: String?
    public var logRetentionDays = 14
    /// Plain environment variables; never secrets, never `PORT`.
    public var environment: [String: String] = [:]
    /// Environment variables filled by ECS from SSM Parameter Store or Secrets Manager ARNs.
    public var secrets: [String: String] = [:]
    public var taskRoleARN: String?
    /// Created by the stack when not named.
    public var executionRoleARN: String?
    public var ingressCIDR = "0.0.0.0/0"
    public var loadBalancer = false
    /// Seconds ECS waits after SIGTERM before SIGKILL; defaults to the server's grace plus 5.
    public var stopTimeoutSeconds: Int?
    public var healthCheck = HealthCheck()
    /// An existing cluster to deploy into; the stack creates one when empty.
    public var cluster: String?
    /// HTTPS on the load balancer: a 443 listener, port 80 redirecting to it.
    public var https: HTTPS?
    /// Task count following load, between `min` and `max`.
    public var autoscaling: Autoscaling?
    /// Alarms that roll back a deployment that errors.
    public var alarms: Alarms?
    /// CloudWatch Container Insights on a cluster the stack creates.
    public var containerInsights = true
    /// The PostgreSQL database the stack creates for `state.backend: postgres`.
    public var database: DatabaseSettings?
    /// ECS Exec into running tasks (`make exec`): the service allows it, the task role may open
    /// the session's channels, and sessions are logged to the log group.
    public var exec = false
    /// How a deployment replaces the running tasks.
    public var strategy = Strategy()
    /// The hours the service runs; outside them it is scaled to zero.
    public var schedule: Schedule?

    public struct HTTPS: Hashable, Sendable {
        /// An ACM certificate in the stack's region.
        public var certificateARN: String
        /// The certificate's region, read from its ARN.
        public var certificateRegion: String
        /// Where `certificate_arn` is written, for the render-time region check's message.
        public var certificateMark: String
        /// A name for the game, served by an alias record when `hostedZoneID` is given.
        public var domain: String?
        public var hostedZoneID: String?
    }

    public struct Autoscaling: Hashable, Sendable {
        public var min: Int
        public var max: Int
        /// Target average CPU of the service, in percent.
        public var cpuPercent: Int?
        /// Target requests per task per minute, through the load balancer.
        public var requestsPerTarget: Int?
    }

    public struct Alarms: Hashable, Sendable {
        /// 5xx answers from the tasks in one minute that count as a failing deploy.
        public var target5xxPerMinute: Int
        /// Unhealthy targets, held for two minutes, that count as a failing deploy.
        public var unhealthyHosts: Int
        /// Notified when an alarm fires.
        public var snsTopicARN: String?
    }

    public struct HealthCheck: Hashable, Sendable {
        public var intervalSeconds = 15
        public var timeoutSeconds = 5
        public var retries = 3
        public var startPeriodSeconds = 10
    }

    public init() {}

    /// The log group, defaulting to `/ecs/tictactoe-VARIANT`.
    public func logGroup(variant: String) -> String { logGroup ?? "/ecs/tictactoe-\(variant)" }

    /// CPU units → the memory sizes (MiB) Fargate allows with them.
    public static let fargateMemory: [Int: [Int]] = [
        256: [512, 1024, 2048],
        512: Array(stride(from: 1024, through: 4096, by: 1024)),
        1024: Array(stride(from: 2048, through: 8192, by: 1024)),
        2048: Array(stride(from: 4096, through: 16384, by: 1024)),
        4096: Array(stride(from: 8192, through: 30720, by: 1024)),
        8192: Array(stride(from: 16384, through: 61440, by: 4096)),
        16384: Array(stride(from: 32768, through: 122_880, by: 8192)),
    ]

    /// Valid retention periods of CloudWatch Logs, in days.
    public static let logRetentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]
}
