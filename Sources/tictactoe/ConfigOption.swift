import ArgumentParser
import Config

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `--config FILE`, falling back to `$TICTACTOE_CONFIG`, then to the built-in defaults.
struct ConfigOption: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The YAML config file (default: $TICTACTOE_CONFIG, else built-in defaults).", valueName: "file"))
    var config: String?

    var path: String? {
        if let config { return config }
        if let path = ProcessInfo.processInfo.environment["TICTACTOE_CONFIG"], !path.isEmpty { return path }
        return nil
    }

    /// The settings with environment overrides applied.
    func load() throws(ConfigError) -> Settings {
        let environment = ProcessInfo.processInfo.environment
        guard let path else { return try ConfigLoader.parse("", source: "built-in defaults", environment: environment) }
        return try ConfigLoader.load(path: path, environment: environment)
    }
}
