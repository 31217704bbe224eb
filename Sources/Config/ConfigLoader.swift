import YAML

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads settings from YAML text or a file, with environment overrides on top.
public enum ConfigLoader {
    /// The largest config file read; anything bigger is surely a mistake.
    public static let maximumFileBytes = 1 << 20

    public static func load(path: String, environment: [String: String] = [:]) throws(ConfigError) -> Settings {
        try parse(readText(path: path), source: path, environment: environment)
    }

    /// The file's text, refusing files that are unreadable, larger than ``maximumFileBytes`` or
    /// not UTF-8, with a message naming the file.
    public static func readText(path: String) throws(ConfigError) -> String {
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            guard data.count <= maximumFileBytes else {
                throw ConfigError(
                    .unreadable,
                    at: Mark(source: path, line: 0, column: 0),
                    key: nil,
                    "the file is \(data.count) bytes; a config file may have at most \(maximumFileBytes)"
                )
            }
            guard let decoded = String(validating: data, as: UTF8.self) else {
                throw ConfigError(.unreadable, at: Mark(source: path, line: 0, column: 0), key: nil, "the file is not UTF-8 text")
            }
            return decoded
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(.unreadable, at: Mark(source: path, line: 0, column: 0), key: nil, "cannot read the file (\(Self.reason(error)))")
        }
    }

    public static func parse(_ text: String, source: String, environment: [String: String] = [:]) throws(ConfigError) -> Settings {
        let document: YAMLNode?
        do {
            document = try YAMLParser.parse(text, source: source)
        } catch {
            throw ConfigError(error)
        }
        let root = EnvironmentOverrides.apply(environment, to: document, source: source)
        return try Settings(decoding: root, source: source)
    }

    private static func reason(_ error: any Error) -> String {
        let code = (error as? CocoaError)?.code
        switch code {
        case .some(.fileReadNoSuchFile): return "no such file"
        case .some(.fileReadNoPermission): return "permission denied"
        default: return "\(error)"
        }
    }
}
