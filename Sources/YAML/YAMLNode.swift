/// A YAML node with the position it was read from. Aliases are already resolved to copies of
/// their anchored nodes, so a tree is a plain value.
public struct YAMLNode: Hashable, Sendable {
    public enum ScalarStyle: Hashable, Sendable {
        case plain, singleQuoted, doubleQuoted, literal, folded
    }

    public enum Content: Hashable, Sendable {
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        /// Keys in document order; keys are unique (the parser refuses duplicates).
        case mapping([Pair])
    }

    public struct Pair: Hashable, Sendable {
        public var key: YAMLNode
        public var value: YAMLNode
        public init(key: YAMLNode, value: YAMLNode) {
            self.key = key
            self.value = value
        }
    }

    public var content: Content
    public var mark: Mark
    /// An explicit tag such as `!!str`, if the document wrote one.
    public var tag: String?

    public init(_ content: Content, mark: Mark, tag: String? = nil) {
        self.content = content
        self.mark = mark
        self.tag = tag
    }

    /// A plain scalar that YAML reads as null: empty, `~` or `null`.
    public var isNull: Bool {
        guard tag == nil, case .scalar(let text, .plain) = content else { return false }
        return text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    /// The scalar's text, if this is a scalar.
    public var scalar: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    /// A short human description of what this node is, for error messages.
    public var kindDescription: String {
        if isNull { return "nothing (null)" }
        switch content {
        case .scalar(let text, _): return "`\(text)`"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        }
    }
}
