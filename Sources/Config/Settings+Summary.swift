import Game
import YAML

extension Settings {
    /// The resolved settings as YAML, every key shown with its effective value. Secrets are
    /// redacted; the `deploy` section is summarised, not echoed.
    public var summary: String {
        var lines: [String] = ["# resolved from \(source)"]
        lines.append("server:")
        lines.append("  host: \(server.host)")
        lines.append("  port: \(server.port)")
        lines.append("  max_body_bytes: \(server.maxBodyBytes)")
        lines.append("  shutdown_grace_s: \(server.shutdownGraceSeconds)")
        lines.append("  log_level: \(server.logLevel.rawValue)")
        lines.append("  log_format: \(server.logFormat.rawValue)")
        lines.append(
            "  limits: {games_per_minute: \(server.limits.gamesPerMinute.map(String.init) ?? "off"), moves_per_minute: \(server.limits.movesPerMinute.map(String.init) ?? "off")}"
        )
        lines.append("  games: {max: \(server.games.maxGames), idle_minutes: \(server.games.idleMinutes)}")
        lines.append("  trusted_proxies: [\(server.trustedProxies.map(\.description).joined(separator: ", "))]")
        lines.append("  idle_timeout_s: \(server.idleTimeoutSeconds)")
        lines.append("  header_timeout_s: \(server.headerTimeoutSeconds)")
        lines.append("  body_timeout_s: \(server.bodyTimeoutSeconds)")
        lines.append("  max_header_bytes: \(server.maxHeaderBytes)")
        lines.append("  max_connections: \(server.maxConnections.map(String.init) ?? "auto")  # auto: from the memory limit")
        lines.append("  max_connections_per_client: \(server.maxConnectionsPerClient)")
        lines.append("  streams: {per_client: \(server.streams.perClient), max: \(server.streams.max.map(String.init) ?? "auto")}")
        lines.append("  behind_https: \(server.behindHTTPS)")
        lines.append(
            "  metrics: {format: \(server.metrics.format.rawValue), interval_s: \(server.metrics.intervalSeconds), namespace: \(server.metrics.namespace)}"
        )
        lines.append(
            "board: {rows: \(board.shape.rows), cols: \(board.shape.cols), win_length: \(board.shape.winLength), rule: \(board.rule.rawValue)}"
        )
        lines.append("players: {symbols: [\(players.firstSymbol), \(players.secondSymbol)], first: \(players.firstSymbol)}")
        lines.append(
            "opponent: {kind: \(opponent.kind.rawValue), plays: \(players.symbol(for: opponent.computerSeat)), level: \(opponent.level.rawValue), think_ms: \(opponent.thinkMilliseconds), threads: \(opponent.threads), queue: \(opponent.queueCapacity)}"
        )
        lines.append("theme:")
        lines.append("  name: \(theme.name.rawValue)")
        lines.append("  title: \"\(theme.title)\"")
        lines.append("  colors:")
        let colors = theme.colors
        for name in ThemeSettings.colorNames {
            let overridden = theme.colorOverrides[name] != nil ? "  # overridden" : ""
            lines.append("    \(name): \"\(colors[name] ?? "")\"\(overridden)")
        }
        var stateLine = "state: {backend: \(state.backend.rawValue)"
        if state.backend == .sqlite { stateLine += ", path: \(state.path)" }
        if let url = state.redactedURL { stateLine += ", url: \(url)" }
        lines.append(stateLine + "}")
        if let postgres = state.postgres {
            lines.append("  # the database, each part from: PG* variable, state.<key>, the URL, the default")
            lines.append(contentsOf: postgres.summary.map { "  \($0)" })
        }
        let clock = { (seconds: Int?) in seconds.map(String.init) ?? "off" }
        lines.append(
            "online: {turn_s: \(clock(online.turnSeconds)), match: {turn_s: \(clock(online.match.turnSeconds)), wait_s: \(online.match.waitSeconds), per_client: \(online.match.perClient), max: \(online.match.max)}}"
        )
        if let deploy {
            lines.append("deploy:")
            lines.append("  architectures: [\(deploy.architectures.map(\.rawValue).joined(separator: ", "))]")
            lines.append("  run_on: \(deploy.runOn.rawValue)")
            lines.append("  cpu: \(deploy.cpu)")
            lines.append("  memory: \(deploy.memory)")
            lines.append("  desired_count: \(deploy.desiredCount)")
            lines.append("  load_balancer: \(deploy.loadBalancer)")
            lines.append("  ingress_cidr: \(deploy.ingressCIDR)")
            lines.append("  stop_timeout_s: \(deploy.stopTimeout(grace: server.shutdownGraceSeconds))")
            lines.append("  log_retention_days: \(deploy.logRetentionDays)")
            if !deploy.environment.isEmpty { lines.append("  environment: [\(deploy.environment.keys.sorted().joined(separator: ", "))]") }
            if !deploy.secrets.isEmpty { lines.append("  secrets: [\(deploy.secrets.keys.sorted().joined(separator: ", "))]  # from ARNs") }
            lines.append("  exec: \(deploy.exec)")
            lines.append("  strategy: \(deploy.strategy.summary)")
            if let schedule = deploy.schedule {
                let days = DeploySettings.Schedule.dayNames
                lines.append(
                    "  schedule: {days: \(days[schedule.days.lowerBound])-\(days[schedule.days.upperBound]), hours: \(schedule.startHour)-\(schedule.stopHour), timezone: \(schedule.timezone)}"
                )
            }
        }
        return lines.joined(separator: "\n")
    }
}
