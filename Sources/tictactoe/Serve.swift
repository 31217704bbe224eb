import ArgumentParser
import Config
import Hummingbird
import Logging
import Metrics
import Server
import ServiceLifecycle
import VariantCommand

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the game server.",
        discussion: "Stops gracefully on SIGTERM or SIGINT: in-flight requests finish, then it exits 0."
    )

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let settings: Settings
        do {
            settings = try config.load()
        } catch {
            printConfigError(error)
            throw ExitCode(1)
        }
        let format = settings.server.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .json: JSONLogHandler(label: label)
            case .text: StreamLogHandler.standardOutput(label: label)
            }
        }
        var metrics: EMFMetricsFactory?
        if settings.server.metrics.format == .emf {
            let factory = EMFMetricsFactory(namespace: settings.server.metrics.namespace)
            MetricsSystem.bootstrap(factory)
            metrics = factory
        }
        var logger = Logger(label: "tictactoe")
        logger.logLevel = Logger.Level(settings.server.logLevel)
        for warning in settings.warnings { logger.warning("\(warning)") }
        var parts: AppParts
        do {
            parts = try await AppParts.make(settings: settings, logger: logger, postgres: Self.postgres)
        } catch {
            BufferedLogOutput.standardOutput.flush()
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let server = settings.server
        logger.info(
            "starting",
            metadata: [
                "version": "\(tictactoeVersion)", "config": "\(settings.source)",
                "address": "\(settings.server.host):\(settings.server.port)",
                "board": "\(settings.board.shape)", "rule": "\(settings.board.rule.rawValue)",
                "opponent": "\(settings.opponent.kind.rawValue)", "state": "\(settings.state.backend.rawValue)",
                "max_connections": "\(parts.connections.limit)", "max_connections_per_client": "\(parts.connections.perClient)",
                "max_streams": "\(parts.events.capacity)",
                "streams_per_client": "\(server.streams.perClient)", "memory_limit": "\(parts.memory.limitBytes) (\(parts.memory.source))",
                "trusted_proxies": "\(server.trustedProxies.map(\.description).joined(separator: ","))",
            ]
        )
        parts.metrics = metrics
        let app = buildApplication(parts, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [app],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(settings.server.shutdownGraceSeconds)
        let group = ServiceGroup(configuration: groupConfiguration)
        do {
            try await group.run()
        } catch {
            logger.error("stopped with an error", metadata: ["error": "\(error)"])
            BufferedLogOutput.standardOutput.flush()
            throw ExitCode(1)
        }
        logger.info("stopped")
        BufferedLogOutput.standardOutput.flush()
    }
}
