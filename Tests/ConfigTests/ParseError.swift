@testable import Config

/// What parsing `yaml` (as `v.yaml`) refuses, or `nil` when it parses.
func parseError(_ yaml: String) -> ConfigError? {
    do {
        _ = try ConfigLoader.parse(yaml, source: "v.yaml")
        return nil
    } catch {
        return error
    }
}
