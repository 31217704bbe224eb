import YAML

extension DeploySettings {
    static let keys = [
        "architectures", "run_on", "cpu", "memory", "desired_count", "log_group", "log_retention_days",
        "environment", "secrets", "task_role_arn", "execution_role_arn", "ingress_cidr", "load_balancer",
        "stop_timeout_s", "health_check", "cluster", "https", "autoscaling", "alarms", "container_insights", "database",
        "exec", "strategy", "schedule",
    ]

    /// Decodes and checks a `deploy:` section against what ECS and Fargate accept, so that a
    /// mistake is reported here with its line rather than by AWS later.
    init(decoding node: YAMLNode?, source: String, settings: Settings, problems: ConfigProblems) throws(ConfigError) {
        self.init()
        let section = MappingReader(
            node,
            path: "deploy",
            parentMark: Mark(source: source, line: 1, column: 1),
            allowed: Self.keys,
            problems: problems
        )
        try decodeTask(section, settings: settings)
        try decodeLogs(section)
        try decodeEnvironment(section)
        try decodeAccess(section)
        try decodeHealth(section, settings: settings)
        cluster = try section.string("cluster", default: nil)
        containerInsights = try section.bool("container_insights", default: containerInsights)
        https = try Self.decodeHTTPS(section, loadBalancer: loadBalancer)
        autoscaling = try Self.decodeAutoscaling(section, settings: settings, loadBalancer: loadBalancer, desiredCount: desiredCount)
        alarms = try Self.decodeAlarms(section, loadBalancer: loadBalancer)
        database = try Self.decodeDatabase(section, settings: settings, secrets: secrets)
        exec = try section.bool("exec", default: exec)
        strategy = try Self.decodeStrategy(section, loadBalancer: loadBalancer)
        schedule = try Self.decodeSchedule(section)
    }

    /// What runs: the architectures built and the one the service runs on, Fargate size and task count.
    private mutating func decodeTask(_ section: MappingReader, settings: Settings) throws(ConfigError) {
        if let list = try section.stringList("architectures") {
            guard !list.isEmpty else {
                throw section.invalid("architectures", "name at least one of `amd64`, `arm64`")
            }
            var seen: [Architecture] = []
            for (name, mark) in list {
                guard let arch = Architecture(rawValue: name) else {
                    throw ConfigError(.invalidValue, at: mark, key: "deploy.architectures", "expected `amd64` or `arm64`, found `\(name)`")
                }
                if !seen.contains(arch) { seen.append(arch) }
            }
            architectures = seen
        }
        runOn = try section.choice("run_on", default: architectures[0])
        guard architectures.contains(runOn) else {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: "run_on"),
                key: "deploy.run_on",
                "the service runs on `\(runOn.rawValue)`, but deploy.architectures builds only \(architectures.map { "`\($0.rawValue)`" }.joined(separator: ", ")): its image would not exist (exec format error)"
            )
        }
        cpu = try section.int("cpu", default: cpu, in: 256...16384, unit: " (CPU units)")
        guard let memories = Self.fargateMemory[cpu] else {
            throw section.invalid("cpu", "Fargate offers cpu 256, 512, 1024, 2048, 4096, 8192 or 16384, not \(cpu)")
        }
        memory = try section.int("memory", default: memories[0], in: 512...122_880, unit: " (MiB)")
        guard memories.contains(memory) else {
            throw section.invalid(
                "memory",
                "Fargate does not offer \(memory) MiB with cpu \(cpu); with \(cpu) it offers \(Self.describe(memories)) MiB"
            )
        }
        desiredCount = try section.int("desired_count", default: desiredCount, in: 0...100)
        if desiredCount > 1 && settings.state.backend != .postgres {
            throw section.invalid(
                "desired_count",
                "\(desiredCount) tasks would each keep their own `\(settings.state.backend.rawValue)` games, so players would lose their game when the load balancer switches task; use state.backend `postgres` to run more than one task"
            )
        }
    }

    /// Where the tasks log, and for how long CloudWatch keeps it.
    private mutating func decodeLogs(_ section: MappingReader) throws(ConfigError) {
        if let group = try section.string("log_group", default: nil) {
            guard (1...512).contains(group.count), group.allSatisfy({ $0.isLetter || $0.isNumber || "_-/.#".contains($0) }) else {
                throw section.invalid("log_group", "a log group name has 1 to 512 letters, digits and _ - / . #, found `\(group)`")
            }
            logGroup = group
        }
        logRetentionDays = try section.int("log_retention_days", default: logRetentionDays, in: 1...3653, unit: " (days)")
        guard Self.logRetentionDays.contains(logRetentionDays) else {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: "log_retention_days"),
                key: "deploy.log_retention_days",
                "CloudWatch keeps logs for \(Self.logRetentionDays.map(String.init).joined(separator: ", ")) days, not \(logRetentionDays)"
            )
        }
    }

    /// Plain variables and secrets (by ARN), never a secret as a plain value, never `PORT`.
    private mutating func decodeEnvironment(_ section: MappingReader) throws(ConfigError) {
        environment = try Self.stringMap(section, "environment")
        for (name, _) in environment {
            let mark = section.mark(of: "environment")
            if name == "PORT" {
                throw ConfigError(
                    .invalidValue,
                    at: mark,
                    key: "deploy.environment.PORT",
                    "PORT comes from server.port, so that the container port, the health check and the server agree; remove it here"
                )
            }
            let upper = name.uppercased()
            if ["PASSWORD", "SECRET", "TOKEN", "DATABASE_URL", "PRIVATE_KEY", "ACCESS_KEY"].contains(where: upper.contains) {
                throw ConfigError(
                    .invalidValue,
                    at: mark,
                    key: "deploy.environment.\(name)",
                    "\(name) looks like a secret; put its SSM or Secrets Manager ARN under deploy.secrets instead of a plain value"
                )
            }
        }
        secrets = try Self.stringMap(section, "secrets")
        for (name, arn) in secrets where !AWSNames.isSecretARN(arn) {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: "secrets"),
                key: "deploy.secrets.\(name)",
                "expected an ARN of arn:aws:ssm:REGION:ACCOUNT:parameter/NAME or arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME, never the secret itself"
            )
        }
        if let name = secrets.keys.first(where: { environment[$0] != nil }) {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: "secrets"),
                key: "deploy.secrets.\(name)",
                "\(name) is set both as a plain variable and as a secret"
            )
        }
    }

    /// The roles, who may reach the service, and the load balancer in front of it.
    private mutating func decodeAccess(_ section: MappingReader) throws(ConfigError) {
        taskRoleARN = try Self.roleARN(section, "task_role_arn")
        executionRoleARN = try Self.roleARN(section, "execution_role_arn")
        if let cidr = try section.string("ingress_cidr", default: nil) {
            guard CIDR.isIPv4(cidr) else {
                throw section.invalid("ingress_cidr", "expected an IPv4 CIDR such as 0.0.0.0/0 or 203.0.113.0/24, found `\(cidr)`")
            }
            ingressCIDR = cidr
        }
        loadBalancer = try section.bool("load_balancer", default: loadBalancer)
        if desiredCount > 1 && !loadBalancer {
            throw section.invalid("load_balancer", "\(desiredCount) tasks need load_balancer: true, or players would have \(desiredCount) addresses")
        }
    }

    /// How long a stopping task gets, and the container health check.
    private mutating func decodeHealth(_ section: MappingReader, settings: Settings) throws(ConfigError) {
        let grace = settings.server.shutdownGraceSeconds
        stopTimeoutSeconds = try section.optionalInt("stop_timeout_s", in: 2...120, unit: " (seconds)")
        if let stop = stopTimeoutSeconds, stop < grace {
            throw section.invalid(
                "stop_timeout_s",
                "ECS would kill the task after \(stop) s, before server.shutdown_grace_s (\(grace) s) lets requests finish; use at least \(grace)",
                kind: .outOfRange
            )
        }
        let health = try section.section("health_check", allowed: ["interval_s", "timeout_s", "retries", "start_period_s"])
        healthCheck.intervalSeconds = try health.int("interval_s", default: healthCheck.intervalSeconds, in: 5...300, unit: " (seconds)")
        healthCheck.timeoutSeconds = try health.int("timeout_s", default: healthCheck.timeoutSeconds, in: 2...60, unit: " (seconds)")
        healthCheck.retries = try health.int("retries", default: healthCheck.retries, in: 1...10)
        healthCheck.startPeriodSeconds = try health.int("start_period_s", default: healthCheck.startPeriodSeconds, in: 0...300, unit: " (seconds)")
        guard healthCheck.timeoutSeconds < healthCheck.intervalSeconds else {
            throw health.invalid(
                "timeout_s",
                "the timeout (\(healthCheck.timeoutSeconds) s) must be shorter than the interval (\(healthCheck.intervalSeconds) s)",
                kind: .outOfRange
            )
        }
    }

    private static func decodeDatabase(
        _ parent: MappingReader,
        settings: Settings,
        secrets: [String: String]
    ) throws(ConfigError) -> DatabaseSettings? {
        guard parent.node("database") != nil else { return nil }
        let section = try parent.section(
            "database",
            allowed: [
                "kind", "engine_version", "min_acu", "max_acu", "auto_pause_s", "instance_class", "storage_gb", "multi_az",
                "on_delete", "deletion_protection", "backup_retention_days", "name",
            ]
        )
        try refuseASecondDatabase(at: parent.mark(of: "database"), settings: settings, secrets: secrets)
        var database = DatabaseSettings()
        database.kind = try section.choice("kind", default: database.kind)
        let versions = DatabaseSettings.engineVersions[database.kind] ?? 13...17
        database.engineVersion = try section.int(
            "engine_version",
            default: database.engineVersion,
            in: versions,
            unit: " (a PostgreSQL major version)"
        )
        let serverlessKeys = ["min_acu", "max_acu", "auto_pause_s"]
        let instanceKeys = ["instance_class", "storage_gb", "multi_az"]
        let foreign = database.kind == .auroraServerless ? instanceKeys : serverlessKeys
        if let key = foreign.first(where: section.has) {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: key),
                key: "deploy.database.\(key)",
                "\(key) is a setting of kind `\(database.kind == .auroraServerless ? DatabaseSettings.Kind.instance.rawValue : DatabaseSettings.Kind.auroraServerless.rawValue)`, and this database is `\(database.kind.rawValue)`"
            )
        }
        switch database.kind {
        case .auroraServerless: try decodeServerless(section, into: &database)
        case .instance: try decodeInstance(section, into: &database)
        }
        database.onDelete = try section.choice("on_delete", default: database.onDelete)
        database.deletionProtection = try section.bool("deletion_protection", default: database.deletionProtection)
        database.backupRetentionDays = try section.int("backup_retention_days", default: database.backupRetentionDays, in: 1...35, unit: " (days)")
        if let name = try section.string("name", default: nil) {
            guard (1...63).contains(name.count), name.first?.isLetter == true,
                name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
            else {
                throw section.invalid(
                    "name",
                    "expected a database name of 1 to 63 lowercase letters, digits and _, starting with a letter, found `\(name)`"
                )
            }
            database.name = name
        }
        return database
    }

    /// The stack makes a database only for a `postgres` variant that names no database of its own
    /// (one from the environment, such as `make run`'s throwaway one, is fine).
    private static func refuseASecondDatabase(at mark: Mark, settings: Settings, secrets: [String: String]) throws(ConfigError) {
        guard settings.state.backend == .postgres else {
            throw ConfigError(
                .invalidValue,
                at: mark,
                key: "deploy.database",
                "the stack makes a database only for state.backend `postgres`, and this variant keeps its games in `\(settings.state.backend.rawValue)`: set state.backend: postgres, or remove deploy.database"
            )
        }
        for name in ["DATABASE_URL", "PGPASSWORD", "PGHOST"] where secrets[name] != nil {
            throw ConfigError(
                .invalidValue,
                at: mark,
                key: "deploy.database",
                "deploy.secrets.\(name) names a database of your own and deploy.database makes one: keep one (remove deploy.secrets.\(name), or deploy.database)"
            )
        }
        if let source = settings.state.postgres?.sources["host"], source.hasPrefix("state.") {
            throw ConfigError(
                .invalidValue,
                at: mark,
                key: "deploy.database",
                "state.url or state.host names a database of your own and deploy.database makes one: keep one (the stack gives its tasks PGHOST… for its database)"
            )
        }
    }

    /// Aurora Serverless v2: capacity from min_acu to max_acu, pausing when min_acu is 0.
    private static func decodeServerless(_ section: MappingReader, into database: inout DatabaseSettings) throws(ConfigError) {
        database.minACU = try acu(section, "min_acu", default: database.minACU, in: 0...256)
        database.maxACU = try acu(section, "max_acu", default: max(database.maxACU, database.minACU), in: 1...256)
        guard database.minACU <= database.maxACU else {
            throw section.invalid(
                "max_acu",
                "max_acu (\(database.maxACU.acuText)) must be at least min_acu (\(database.minACU.acuText))",
                kind: .outOfRange
            )
        }
        database.autoPauseSeconds = try section.optionalInt("auto_pause_s", in: 300...86_400, unit: " (seconds)")
        if database.autoPauseSeconds != nil, database.minACU != 0 {
            throw section.invalid("auto_pause_s", "only a database with min_acu: 0 pauses; this one keeps \(database.minACU.acuText) ACU")
        }
        if database.minACU == 0, database.autoPauseSeconds == nil { database.autoPauseSeconds = 300 }
    }

    /// An RDS instance: its class, storage and standby.
    private static func decodeInstance(_ section: MappingReader, into database: inout DatabaseSettings) throws(ConfigError) {
        if let instanceClass = try section.string("instance_class", default: nil) {
            let parts = instanceClass.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0] == "db",
                parts.dropFirst().allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") } })
            else {
                throw section.invalid(
                    "instance_class",
                    "expected an RDS instance class such as db.t4g.micro or db.m7g.large, found `\(instanceClass)`"
                )
            }
            database.instanceClass = instanceClass
        }
        database.storageGiB = try section.int("storage_gb", default: database.storageGiB, in: 20...65_536, unit: " (GiB)")
        database.multiAZ = try section.bool("multi_az", default: database.multiAZ)
    }

    /// A capacity in Aurora capacity units: a multiple of 0.5 within `range`.
    private static func acu(
        _ section: MappingReader,
        _ key: String,
        default fallback: Double,
        in range: ClosedRange<Double>
    ) throws(ConfigError) -> Double {
        try section.stepped(
            key,
            default: fallback,
            in: range,
            stepsPerUnit: 2,
            expected: "a capacity from \(range.lowerBound.acuText) to \(range.upperBound.acuText) ACU in steps of 0.5"
        )
    }

    private static func decodeHTTPS(_ parent: MappingReader, loadBalancer: Bool) throws(ConfigError) -> HTTPS? {
        guard parent.node("https") != nil else { return nil }
        let section = try parent.section("https", allowed: ["certificate_arn", "domain", "hosted_zone_id"])
        guard loadBalancer else {
            throw parent.invalid("https", "HTTPS is served by the load balancer: set deploy.load_balancer: true")
        }
        guard let arn = try section.string("certificate_arn", default: nil) else {
            throw ConfigError(
                .missing,
                at: section.mark,
                key: "deploy.https.certificate_arn",
                "name the ACM certificate: arn:aws:acm:REGION:ACCOUNT:certificate/ID"
            )
        }
        guard let region = AWSNames.certificateRegion(ofARN: arn) else {
            throw section.invalid(
                "certificate_arn",
                "expected an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-…, found `\(arn)`"
            )
        }
        var https = HTTPS(certificateARN: arn, certificateRegion: region, certificateMark: section.mark(of: "certificate_arn").description)
        if let domain = try section.string("domain", default: nil) {
            guard AWSNames.isHostname(domain) else {
                throw section.invalid("domain", "expected a host name such as play.example.com, found `\(domain)`")
            }
            https.domain = domain.lowercased()
        }
        if let zone = try section.string("hosted_zone_id", default: nil) {
            guard (2...32).contains(zone.count), zone.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
                throw section.invalid("hosted_zone_id", "expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, found `\(zone)`")
            }
            guard https.domain != nil else {
                throw ConfigError(
                    .missing,
                    at: section.mark(of: "hosted_zone_id"),
                    key: "deploy.https.domain",
                    "a hosted zone needs the domain to create in it: add deploy.https.domain"
                )
            }
            https.hostedZoneID = zone
        }
        return https
    }

    private static func decodeAutoscaling(
        _ parent: MappingReader,
        settings: Settings,
        loadBalancer: Bool,
        desiredCount: Int
    ) throws(ConfigError) -> Autoscaling? {
        guard parent.node("autoscaling") != nil else { return nil }
        let section = try parent.section("autoscaling", allowed: ["min", "max", "cpu_percent", "requests_per_target"])
        let min = try section.int("min", default: 1, in: 0...100, unit: " (tasks)")
        let max = try section.int("max", default: Swift.max(min, 1), in: 1...100, unit: " (tasks)")
        guard min <= max else {
            throw ConfigError(.outOfRange, at: section.mark(of: "max"), key: "deploy.autoscaling.max", "max (\(max)) must be at least min (\(min))")
        }
        if max > 1, settings.state.backend != .postgres {
            throw section.invalid(
                "max",
                "state.backend `\(settings.state.backend.rawValue)` keeps the games in one process, so a second task would not see them: use max: 1, or state.backend postgres"
            )
        }
        guard (min...max).contains(desiredCount) else {
            throw parent.invalid("desired_count", "\(desiredCount) tasks is outside autoscaling's \(min)…\(max); start within it", kind: .outOfRange)
        }
        let cpu = try section.optionalInt("cpu_percent", in: 10...95, unit: " (percent)")
        let requests = try section.optionalInt("requests_per_target", in: 1...100_000, unit: " (requests per task per minute)")
        guard cpu != nil || requests != nil else {
            throw ConfigError(
                .missing,
                at: section.mark,
                key: "deploy.autoscaling",
                "say what to follow: cpu_percent (e.g. 60) and/or requests_per_target (e.g. 1000)"
            )
        }
        if requests != nil, !loadBalancer {
            throw section.invalid(
                "requests_per_target",
                "requests are counted by the load balancer: set deploy.load_balancer: true, or use cpu_percent"
            )
        }
        return Autoscaling(min: min, max: max, cpuPercent: cpu, requestsPerTarget: requests)
    }

    private static func decodeAlarms(_ parent: MappingReader, loadBalancer: Bool) throws(ConfigError) -> Alarms? {
        guard parent.node("alarms") != nil else { return nil }
        let section = try parent.section("alarms", allowed: ["target_5xx_per_minute", "unhealthy_hosts", "sns_topic_arn"])
        guard loadBalancer else {
            throw parent.invalid("alarms", "the alarms watch the load balancer's target group: set deploy.load_balancer: true")
        }
        var alarms = Alarms(
            target5xxPerMinute: try section.int("target_5xx_per_minute", default: 10, in: 1...100_000, unit: " (answers)"),
            unhealthyHosts: try section.int("unhealthy_hosts", default: 1, in: 1...100, unit: " (tasks)")
        )
        if let topic = try section.string("sns_topic_arn", default: nil) {
            guard AWSNames.isTopicARN(topic) else {
                throw section.invalid(
                    "sns_topic_arn",
                    "expected an SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alerts, found `\(topic)`"
                )
            }
            alarms.snsTopicARN = topic
        }
        return alarms
    }

    /// ECS's stop timeout: the configured one, else the server's grace plus 5 s, at most 120.
    public func stopTimeout(grace: Int) -> Int { stopTimeoutSeconds ?? min(120, grace + 5) }

    private static func stringMap(_ section: MappingReader, _ key: String) throws(ConfigError) -> [String: String] {
        guard let node = section.node(key) else { return [:] }
        guard case .mapping(let pairs) = node.content else {
            throw ConfigError(.wrongType, at: node.mark, key: "deploy.\(key)", "expected a mapping of NAME: value, found \(node.kindDescription)")
        }
        var map: [String: String] = [:]
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            guard let first = name.first, first.isLetter || first == "_", name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ConfigError(.invalidValue, at: pair.key.mark, key: "deploy.\(key)", "`\(name)` is not a valid environment variable name")
            }
            guard case .scalar(let value, _) = pair.value.content, !pair.value.isNull else {
                throw ConfigError(
                    .wrongType,
                    at: pair.value.mark,
                    key: "deploy.\(key).\(name)",
                    "expected a string, found \(pair.value.kindDescription)"
                )
            }
            map[name] = value
        }
        return map
    }

    private static func roleARN(_ section: MappingReader, _ key: String) throws(ConfigError) -> String? {
        guard let arn = try section.string(key, default: nil) else { return nil }
        guard AWSNames.isRoleARN(arn) else {
            throw ConfigError(
                .invalidValue,
                at: section.mark(of: key),
                key: "deploy.\(key)",
                "expected an IAM role ARN such as arn:aws:iam::123456789012:role/NAME, found `\(arn)`"
            )
        }
        return arn
    }

    private static func describe(_ sizes: [Int]) -> String {
        sizes.count > 4
            ? "\(sizes[0]) to \(sizes[sizes.count - 1]) in steps of \(sizes[1] - sizes[0])" : sizes.map(String.init).joined(separator: ", ")
    }
}

extension Double {
    /// An ACU figure as written in a variant: `0`, `0.5`, `256`.
    var acuText: String { self == rounded() ? String(Int(self)) : String(self) }
}
