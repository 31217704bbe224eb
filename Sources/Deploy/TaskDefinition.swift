public import Config

/// One ECS task definition for a variant on one architecture: the single model behind both the
/// file `make taskdefs` writes and the task definition inside the CloudFormation stack.
///
/// Everything comes from the variant's settings through `Config`, so the container port is the
/// server's port and the CPU architecture is the image's.
public struct TaskDefinition: Sendable {
    public static let containerName = "tictactoe"

    public let variant: String
    public let settings: Settings
    public let deploy: DeploySettings
    public let architecture: DeploySettings.Architecture
    /// The image URI, with `@sha256:…` when a digest was given.
    public let image: String
    /// The image's repository and its moving tag, and the digest when one was given.
    public let imageRepository: String
    public let imageTag: String
    public let digest: String?
    public let region: String
    public let executionRoleARN: String
    public let taskRoleARN: String?

    /// The names of this variant's AWS resources.
    public var names: StackNames { StackNames(variant: variant, deploy: deploy) }
    public var family: String { names.family }
    public var port: Int { settings.server.port }
    public var stopTimeout: Int { deploy.stopTimeout(grace: settings.server.shutdownGraceSeconds) }

    /// - Parameters:
    ///   - digest: `sha256:…` of the image, given explicitly; never looked up.
    ///   - executionRoleARN: the role that pulls the image, writes logs and reads secrets; when
    ///     the variant names none, the stack's role `tictactoe-VARIANT-execution` in `account`.
    public init(
        variant: String,
        settings: Settings,
        architecture: DeploySettings.Architecture,
        imageRepository: String,
        digest: String?,
        region: String,
        account: String
    ) throws(RenderError) {
        let deploy = settings.deploy ?? DeploySettings()
        guard deploy.architectures.contains(architecture) else {
            throw RenderError(
                "\(settings.source): deploy.architectures builds \(deploy.architectures.map(\.rawValue).joined(separator: ", ")), not \(architecture.rawValue): no image would exist for this task"
            )
        }
        if let digest {
            guard digest.hasPrefix("sha256:"), digest.count == 71, digest.dropFirst(7).allSatisfy(\.isHexDigit) else {
                throw RenderError("--digest must be sha256: followed by 64 hex digits, not \(digest)")
            }
        }
        guard Self.isRegion(region) else { throw RenderError("--region must be an AWS region such as us-east-1, not \(region)") }
        guard account.count == 12, account.allSatisfy(\.isNumber) else {
            throw RenderError("--account must be a 12-digit AWS account id, not \(account)")
        }
        if let https = deploy.https, https.certificateRegion != region {
            throw RenderError(
                "\(https.certificateMark): deploy.https.certificate_arn: the certificate is in \(https.certificateRegion) but the stack deploys to \(region); a load balancer uses certificates of its own region: request or import one in \(region)"
            )
        }
        if let topic = deploy.alarms?.snsTopicARN, !topic.hasPrefix("arn:aws:sns:\(region):") {
            throw RenderError(
                "\(settings.source): deploy.alarms.sns_topic_arn: CloudWatch alarms notify topics of their own region, \(region); \(topic) is not"
            )
        }
        guard settings.server.host == "0.0.0.0" || settings.server.host == "::" else {
            throw RenderError(
                "\(settings.source): server.host is \(settings.server.host), so the server would not listen on the task's network interface and its port mapping would never answer; use 0.0.0.0"
            )
        }
        self.variant = variant
        self.settings = settings
        self.deploy = deploy
        self.architecture = architecture
        self.imageRepository = imageRepository
        imageTag = ImageLayout.tag(variant: variant, architecture: architecture)
        self.digest = digest
        image = digest.map { "\(imageRepository)@\($0)" } ?? "\(imageRepository):\(imageTag)"
        self.region = region
        executionRoleARN = StackNames(variant: variant, deploy: deploy).executionRoleARN(account: account)
        taskRoleARN = StackNames(variant: variant, deploy: deploy).taskRoleARN(account: account)
    }

    /// Where the SSM agent that ECS Exec mounts into the container writes: each a volume of the
    /// task, so that the root file system stays read-only with ECS Exec on.
    public static let execAgentPaths = ["/managed-agents", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]

    /// The task's volumes and where the container mounts them: `/tmp`, and with ECS Exec the agent's.
    var mounts: [(volume: String, path: String)] {
        var mounts = [(volume: "tmp", path: "/tmp")]
        if deploy.exec {
            mounts += Self.execAgentPaths.map { path in
                (volume: "exec" + path.split(separator: "/").map { "-" + $0 }.joined(), path: path)
            }
        }
        return mounts
    }

    static func isRegion(_ text: String) -> Bool { AWSNames.isRegion(text) }

    /// The `containerDefinitions[0]` object, in the ECS API's spelling.
    public var container: JSON {
        var fields: [(String, JSON)] = [
            ("name", .string(Self.containerName)),
            ("image", .string(image)),
            ("essential", .bool(true)),
            ("user", .string(ImageLayout.user)),
            ("readonlyRootFilesystem", .bool(true)),
            // The server needs no Linux capability: it runs as a user and listens above 1024. With
            // ECS Exec, an init process reaps what the sessions leave behind.
            (
                "linuxParameters",
                .object(
                    [("capabilities", .object([("drop", .array([.string("ALL")]))]))] + (deploy.exec ? [("initProcessEnabled", .bool(true))] : [])
                )
            ),
            (
                "portMappings",
                .array([
                    .object([
                        ("name", .string("http")),
                        ("containerPort", .int(port)),
                        ("hostPort", .int(port)),
                        ("protocol", .string("tcp")),
                        ("appProtocol", .string("http")),
                    ])
                ])
            ),
            (
                "environment",
                .array(deploy.environment.keys.sorted().map { .object([("name", .string($0)), ("value", .string(deploy.environment[$0] ?? ""))]) })
            ),
        ]
        if !deploy.secrets.isEmpty {
            fields.append(
                (
                    "secrets",
                    .array(deploy.secrets.keys.sorted().map { .object([("name", .string($0)), ("valueFrom", .string(deploy.secrets[$0] ?? ""))]) })
                )
            )
        }
        fields += [
            (
                "mountPoints",
                .array(
                    mounts.map { .object([("sourceVolume", .string($0.volume)), ("containerPath", .string($0.path)), ("readOnly", .bool(false))]) }
                )
            ),
            (
                "healthCheck",
                .object([
                    ("command", .array([.string("CMD"), .string(ImageLayout.binaryPath), .string("healthcheck")])),
                    ("interval", .int(deploy.healthCheck.intervalSeconds)),
                    ("timeout", .int(deploy.healthCheck.timeoutSeconds)),
                    ("retries", .int(deploy.healthCheck.retries)),
                    ("startPeriod", .int(deploy.healthCheck.startPeriodSeconds)),
                ])
            ),
            ("stopTimeout", .int(stopTimeout)),
            (
                "logConfiguration",
                .object([
                    ("logDriver", .string("awslogs")),
                    (
                        "options",
                        .object([
                            ("awslogs-group", .string(names.logGroup)),
                            ("awslogs-region", .string(region)),
                            ("awslogs-stream-prefix", .string(Self.containerName)),
                        ])
                    ),
                ])
            ),
        ]
        return .object(fields)
    }

    /// The body of `aws ecs register-task-definition --cli-input-json`: no read-only fields.
    public var registrationJSON: JSON {
        var fields: [(String, JSON)] = [
            ("family", .string(family)),
            ("requiresCompatibilities", .array([.string("FARGATE")])),
            ("networkMode", .string("awsvpc")),
            ("cpu", .string(String(deploy.cpu))),
            ("memory", .string(String(deploy.memory))),
            ("runtimePlatform", .object([("cpuArchitecture", .string(architecture.ecsName)), ("operatingSystemFamily", .string("LINUX"))])),
            ("executionRoleArn", .string(executionRoleARN)),
        ]
        if let task = taskRoleARN { fields.append(("taskRoleArn", .string(task))) }
        fields += [
            ("containerDefinitions", .array([container])),
            ("volumes", .array(mounts.map { .object([("name", .string($0.volume))]) })),
            (
                "tags",
                .array([
                    .object([("key", .string("tictactoe:variant")), ("value", .string(variant))]),
                    .object([("key", .string("tictactoe:architecture")), ("value", .string(architecture.rawValue))]),
                ])
            ),
        ]
        return .object(fields)
    }
}

/// A task definition that cannot be rendered; the message says what to change.
public struct RenderError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
