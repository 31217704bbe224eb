/// Where a node came from: a file position (1-based line and column) or a named source such as
/// an environment variable, for which line and column are 0.
public struct Mark: Hashable, Sendable, CustomStringConvertible {
    public var source: String
    public var line: Int
    public var column: Int

    public init(source: String, line: Int, column: Int) {
        self.source = source
        self.line = line
        self.column = column
    }

    /// `file:line:column`, or just the source when it has no position.
    public var description: String {
        line > 0 ? "\(source):\(line):\(column)" : source
    }
}
