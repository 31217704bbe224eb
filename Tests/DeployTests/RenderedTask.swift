import Config
import Deploy

/// The task definition the tests render from `yaml` as `variants/VARIANT.yaml`: amd64, region
/// `region` of account 123456789012, image repository `r/tictactoe`.
func renderedTask(_ yaml: String, variant: String, region: String = "us-east-1") throws -> TaskDefinition {
    let settings = try ConfigLoader.parse(yaml, source: "variants/\(variant).yaml")
    return try TaskDefinition(
        variant: variant,
        settings: settings,
        architecture: .amd64,
        imageRepository: "r/tictactoe",
        digest: nil,
        region: region,
        account: "123456789012"
    )
}
