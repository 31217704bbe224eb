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

    /// The file's further mistakes, after this one in file order, when it has several.
    public var others: [ConfigError] = []

    /// This mistake and ``others``: every mistake found, in file order.
    public var all: [ConfigError] {
        var first = self
        first.others = []
        return [first] + others
    }

    /// One line per mistake.
    public var description: String {
        all.map { "\($0.mark): " + ($0.key.map { "\($0): " } ?? "") + $0.message }.joined(separator: "\n")
    }
}

/// The mistakes found while decoding one file; decoding goes on past each, with defaults.
final class ConfigProblems {
    private(set) var errors: [ConfigError] = []

    var count: Int { errors.count }

    func note(_ error: ConfigError) {
        errors.append(contentsOf: error.all)
    }

    /// Throws the mistakes, first in file order first; nothing when there are none.
    func throwIfAny() throws(ConfigError) {
        let sorted = errors.enumerated().sorted { a, b in
            let (x, y) = (a.element.mark, b.element.mark)
            return (x.line, x.column, a.offset) < (y.line, y.column, b.offset)
        }.map(\.element)
        guard var first = sorted.first else { return }
        first.others = Array(sorted.dropFirst())
        throw first
    }
}
