/// A document that cannot be turned into a node tree.
public struct YAMLError: Error, Hashable, Sendable, CustomStringConvertible {
    public var mark: Mark
    public var message: String

    public init(mark: Mark, message: String) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): \(message)" }
}
