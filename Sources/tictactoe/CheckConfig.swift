import ArgumentParser
import Config
import VariantCommand

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a config file and print the resolved settings.",
        discussion: "Exits 1 on any error, naming file, line, column and key. Warnings go to standard error."
    )

    @Argument(help: "The YAML file to check.")
    var file: String

    func run() throws {
        do {
            let settings = try ConfigLoader.load(path: file, environment: ProcessInfo.processInfo.environment)
            print(settings.summary)
            for warning in settings.warnings { printError("warning: \(warning)") }
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}
