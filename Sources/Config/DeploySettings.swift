/// A variant's deployment on ECS Fargate: the `deploy:` section. The server ignores it; image
/// builds read ``architectures`` and the task-definition renderer reads the rest.
public struct DeploySettings: Hashable, Sendable {
    public enum Architecture: String, Hashable, Sendable, CaseIterable {
        case amd64, arm64

        /// The name ECS uses in `runtimePlatform.cpuArchitecture`.
        public var ecsName: String { self == .amd64 ? "X86_64" : "ARM64" }
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
