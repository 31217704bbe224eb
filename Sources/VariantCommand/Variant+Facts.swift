import ArgumentParser
import Config

extension Variant {
    /// What an image build needs to know of a variant, as `KEY=VALUE` lines that both `sh` (`.`)
    /// and the image script read. Values never contain spaces except the architecture list,
    /// which is quoted.
    struct Facts: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what an image build needs of a variant, as shell assignments.",
            discussion: """
                VARIANT_PORT: server.port. VARIANT_ARCHITECTURES: deploy.architectures. \
                VARIANT_BACKEND: state.backend. SWIFT_TRAIT_FLAGS: the package-trait flags of \
                swift build (PostgreSQL support only for variants that use it). \
                RDS_CA_BUNDLE: where the image carries Amazon RDS's certificate authorities \
                (PostgreSQL variants only; empty otherwise).
                """
        )

        @Argument(help: "The variant's YAML file.") var file: String

        func run() throws {
            let settings = try loadOrExit(file)
            for (key, value) in Self.facts(of: settings) {
                print("\(key)=\(value)")
            }
        }

        static func facts(of settings: Settings) -> [(String, String)] {
            let deploy = settings.deploy ?? DeploySettings()
            let backend = settings.state.backend
            return [
                ("VARIANT_PORT", String(settings.server.port)),
                ("VARIANT_ARCHITECTURES", "'\(deploy.architectures.map(\.rawValue).joined(separator: " "))'"),
                ("VARIANT_BACKEND", backend.rawValue),
                ("SWIFT_TRAIT_FLAGS", backend == .postgres ? "" : "--disable-default-traits"),
                ("RDS_CA_BUNDLE", backend == .postgres ? DatabaseSettings.caBundlePath : ""),
            ]
        }
    }
}
