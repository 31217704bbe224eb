public import Config

/// What every image of this project holds where, and how its tags are named: the one owner that
/// task definitions use and that `tictactoe variant facts` prints for the Dockerfiles and scripts.
public enum ImageLayout {
    /// The server binary, the image's entry point and its health check's command.
    public static let binaryPath = "/usr/local/bin/tictactoe"
    /// The user the image runs as (distroless `nonroot`).
    public static let user = "65532:65532"
    /// The variant's YAML baked into the image, named by ``configEnvironment``.
    public static let configPath = "/etc/tictactoe/config.yaml"
    public static let configEnvironment = "TICTACTOE_CONFIG"
    /// The name of the image repository when none is given (`make REPO=`), locally and in ECR.
    public static let repository = "tictactoe"

    /// The moving tag of a variant's image for one architecture: `classic-amd64`.
    public static func tag(variant: String, architecture: DeploySettings.Architecture) -> String {
        "\(variant)-\(architecture.rawValue)"
    }

    /// The tag that names one release of it: `classic-1.4.0-amd64`. Scripts receive it with
    /// ``versionPlaceholder`` in place of the version.
    public static func releaseTag(variant: String, version: String, architecture: DeploySettings.Architecture) -> String {
        "\(variant)-\(version)-\(architecture.rawValue)"
    }

    /// The manifest list's tags, over every architecture: `classic` and `classic-1.4.0`.
    public static func listTag(variant: String) -> String { variant }
    public static func releaseListTag(variant: String, version: String) -> String { "\(variant)-\(version)" }

    /// What scripts replace with the version in a release tag fact.
    public static let versionPlaceholder = "{version}"
}
