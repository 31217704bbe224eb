import ArgumentParser
import Config
import Deploy
import VariantCommand

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The options that pick a variant, architecture and image for rendering.
struct RenderOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The variant's YAML file, variants/NAME.yaml.", valueName: "file")) var variant: String
    @Option(help: "amd64 or arm64.") var arch: String
    @Option(help: ArgumentHelp("The image repository, such as ACCOUNT.dkr.ecr.REGION.amazonaws.com/tictactoe.", valueName: "uri"))
    var repository: String
    @Option(help: "The image digest (sha256:…) to pin, when known; never looked up.") var digest: String?
    @Option(help: "The AWS region for logs.") var region: String
    @Option(help: "The 12-digit AWS account id.") var account: String
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?

    func validate() throws {
        guard DeploySettings.Architecture(rawValue: arch) != nil else { throw ValidationError("--arch must be amd64 or arm64, not \(arch)") }
        guard variant.hasSuffix(".yaml") else { throw ValidationError("--variant must name a .yaml file, not \(variant)") }
    }

    var variantName: String {
        String(variant.split(separator: "/").last?.dropLast(5) ?? "")
    }

    func taskDefinition() throws -> TaskDefinition {
        do {
            let settings = try ConfigLoader.load(path: variant)
            return try TaskDefinition(
                variant: variantName,
                settings: settings,
                architecture: DeploySettings.Architecture(rawValue: arch) ?? .amd64,
                imageRepository: repository,
                digest: digest,
                region: region,
                account: account
            )
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }

    func write(_ json: JSON) throws {
        let text = json.rendered
        guard let output else {
            print(text, terminator: "")
            return
        }
        try orExit("cannot write \(output): ") { try Data(text.utf8).write(to: URL(fileURLWithPath: output)) }
    }
}

struct TaskDef: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskdef",
        abstract: "Render a variant's ECS task definition for aws ecs register-task-definition --cli-input-json.",
        discussion: "Deterministic: the same variant, architecture and image give the same bytes."
    )
    @OptionGroup var options: RenderOptions

    func run() throws {
        try options.write(options.taskDefinition().registrationJSON)
    }
}

struct Stack: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Render a variant's CloudFormation template: cluster, logs, roles, security groups, task definition, service; load balancer, HTTPS, DNS record, autoscaling, alarms and database as the variant asks."
    )
    @OptionGroup var options: RenderOptions

    func run() throws {
        try options.write(StackTemplate(task: options.taskDefinition()).json)
    }
}
