import ArgumentParser
import Config

/// Reads variant files for the Makefile and the Dockerfiles, so that images and task definitions
/// take the port, architectures and state backend from the same `Config` code the server uses.
///
/// It is a subcommand of `tictactoe` and, on its own, the `tictactoe-variant` program: that one
/// links no server, so an image build compiles it in seconds on the build platform to read the
/// variant before cross-compiling the server.
public struct Variant: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "variant",
        abstract: "Read a variant file for builds and deployments.",
        subcommands: [ImageConfigCommand.self, Get.self, Facts.self, Cost.self]
    )

    public init() {}

    struct ImageConfigCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "image-config",
            abstract: "Print the variant's YAML without its deploy section: the copy baked into an image."
        )

        @Argument(help: "The variant's YAML file.") var file: String

        func run() throws {
            let text = try orExit { try ImageConfig.strippingDeploy(from: try ConfigLoader.readText(path: file), source: file) }
            print(text, terminator: "")
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one resolved setting of a variant.",
            discussion: "Keys: \(Get.keys.joined(separator: ", "))."
        )
        static let keys = [
            "server.port", "board", "theme.name", "state.backend", "state.host", "opponent.kind", "deploy.architectures", "deploy.run_on",
            "deploy.cluster", "deploy.memory",
            "deploy.database.kind", "deploy.database.on_delete", "deploy.database.deletion_protection",
        ]

        @Argument(help: "The variant's YAML file.") var file: String
        @Argument(help: "The setting to print.") var key: String

        func validate() throws {
            guard Self.keys.contains(key) else {
                throw ValidationError("unknown key \(key); known keys: \(Self.keys.joined(separator: ", "))")
            }
        }

        func run() throws {
            let settings = try loadOrExit(file)
            let deploy = settings.deploy ?? DeploySettings()
            switch key {
            case "server.port": print(settings.server.port)
            case "board": print("\(settings.board.shape.rows)x\(settings.board.shape.cols)k\(settings.board.shape.winLength)")
            case "theme.name": print(settings.theme.name.rawValue)
            case "state.backend": print(settings.state.backend.rawValue)
            case "state.host": print(settings.state.postgres?.host ?? "")
            case "opponent.kind": print(settings.opponent.kind.rawValue)
            case "deploy.architectures": print(deploy.architectures.map(\.rawValue).joined(separator: " "))
            case "deploy.cluster": print(deploy.cluster ?? "")
            case "deploy.memory": print(deploy.memory)
            case "deploy.database.kind": print(deploy.database?.kind.rawValue ?? "")
            case "deploy.database.on_delete": print(deploy.database?.onDelete.rawValue ?? "")
            case "deploy.database.deletion_protection": print(deploy.database.map { String($0.deletionProtection) } ?? "")
            default: print(deploy.runOn.rawValue)
            }
        }
    }
}

/// The variant's settings, or the error printed and exit status 1.
func loadOrExit(_ file: String) throws -> Settings {
    do {
        return try ConfigLoader.load(path: file)
    } catch {
        printConfigError(error)
        throw ExitCode(1)
    }
}
