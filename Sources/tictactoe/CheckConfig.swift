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
        discussion:
            "Lists every mistake in the file, in file order, each with file, line, column and key, and exits 1; a YAML syntax error stops at the syntax error. Warnings go to standard error."
    )

    @Argument(help: "The YAML file to check.")
    var file: String

    func run() throws {
        do {
            let settings = try ConfigLoader.load(path: file, environment: ProcessInfo.processInfo.environment)
            print(settings.summary)
            for warning in settings.warnings { printError("warning: \(warning)") }
        } catch {
            printConfigError(error)
            throw ExitCode(1)
        }
    }
}
