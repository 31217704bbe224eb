public import YAML

/// A configuration mistake, with where it is and what was expected.
///
/// `description` reads `file:line:column: key.path: message`, for example
/// `tictactoe.yaml:3:9: server.port: expected an integer from 1 to 65535, found 70000`.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        case unreadable, syntax, unknownKey, wrongType, outOfRange, invalidValue, missing
    }

    public var kind: Kind
    public var mark: Mark
    /// The dotted key path, such as `board.win_length`, when the mistake is under a key.
    public var key: String?
    public var message: String

    public init(_ kind: Kind, at mark: Mark, key: String?, _ message: String) {
        self.kind = kind
        self.mark = mark
        self.key = key
        self.message = message
    }

    init(_ error: YAMLError) {
        self.init(.syntax, at: error.mark, key: nil, error.message)
    }

    public var description: String {
        "\(mark): " + (key.map { "\($0): " } ?? "") + message
    }
}
