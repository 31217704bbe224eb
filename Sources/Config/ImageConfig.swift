import YAML

/// The YAML baked into a container image: the variant file without its `deploy:` section, so
/// that account-specific deployment settings never travel inside an image.
public enum ImageConfig {
    /// `text` with the top-level `deploy` section removed, line for line; everything else,
    /// comments included, is kept. The result decodes to the same settings, less `deploy`.
    public static func strippingDeploy(from text: String, source: String) throws(ConfigError) -> String {
        let original = try ConfigLoader.parse(text, source: source)
        let root: YAMLNode?
        do {
            root = try YAMLParser.parse(text, source: source)
        } catch {
            throw ConfigError(error)
        }
        guard let root, case .mapping(let pairs) = root.content,
            let index = pairs.firstIndex(where: { $0.key.scalar == "deploy" })
        else { return text }
        let key = pairs[index].key
        guard key.mark.column == 1 else {
            throw ConfigError(
                .invalidValue,
                at: key.mark,
                key: "deploy",
                "write the top level of a variant in block style (one key per line) so that `deploy` can be removed from the image's copy"
            )
        }
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = key.mark.line - 1
        let end = index + 1 < pairs.count ? pairs[index + 1].key.mark.line - 1 : lines.count
        lines.removeSubrange(first..<end)
        var stripped = lines.joined(separator: "\n")
        if text.hasSuffix("\n") && !stripped.hasSuffix("\n") { stripped += "\n" }
        var expected = original
        expected.deploy = nil
        var decoded = try ConfigLoader.parse(stripped, source: source)
        decoded.source = expected.source
        guard decoded == expected else {
            throw ConfigError(
                .invalidValue,
                at: key.mark,
                key: "deploy",
                "removing `deploy` would change other settings; keep `deploy` as the last top-level section"
            )
        }
        return stripped
    }
}
