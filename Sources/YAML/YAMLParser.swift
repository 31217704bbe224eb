import CYAML

/// Reads one YAML document through libyaml's event parser into a ``YAMLNode`` tree.
///
/// Guarantees: every node keeps its source position; duplicate mapping keys, more than one
/// document, merge keys (`<<`), unknown aliases and alias expansions larger than
/// ``maximumNodes`` are refused with a ``YAMLError`` naming line and column.
public enum YAMLParser {
    /// The most nodes a document may expand to, aliases included (stops "billion laughs").
    public static let maximumNodes = 100_000

    /// Parses `text`. Returns `nil` for a stream with no document or a document that is only null.
    public static func parse(_ text: String, source: String) throws(YAMLError) -> YAMLNode? {
        var bytes = Array(text.utf8)
        if bytes.isEmpty { bytes = [0x0A] }
        var builder = TreeBuilder(source: source)
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw YAMLError(mark: Mark(source: source, line: 0, column: 0), message: "libyaml could not start")
        }
        defer { yaml_parser_delete(&parser) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(YAMLError) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            var event = yaml_event_t()
            while true {
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    throw syntaxError(parser, source: source)
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { break }
                try builder.handle(event)
            }
            return builder.document
        }
    }

    private static func syntaxError(_ parser: yaml_parser_t, source: String) -> YAMLError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed YAML"
        var message = "malformed YAML: \(problem)"
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " (\(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1))"
        }
        return YAMLError(
            mark: Mark(source: source, line: parser.problem_mark.line + 1, column: parser.problem_mark.column + 1),
            message: message
        )
    }
}

/// Assembles events into nodes. One open collection per nesting level.
private struct TreeBuilder {
    enum Open {
        case sequence(YAMLNode, anchor: String?, items: [YAMLNode])
        case mapping(YAMLNode, anchor: String?, pairs: [YAMLNode.Pair], pendingKey: YAMLNode?)
    }

    let source: String
    var stack: [Open] = []
    var anchors: [String: YAMLNode] = [:]
    var documents = 0
    var document: YAMLNode?
    var nodeCount = 0

    init(source: String) { self.source = source }

    func mark(_ m: yaml_mark_t) -> Mark {
        Mark(source: source, line: m.line + 1, column: m.column + 1)
    }

    mutating func handle(_ event: yaml_event_t) throws(YAMLError) {
        let at = mark(event.start_mark)
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documents += 1
            if documents > 1 {
                throw YAMLError(mark: at, message: "a second YAML document (`---`) was found; a config file holds exactly one")
            }
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let text = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style: YAMLNode.ScalarStyle =
                switch scalar.style {
                case YAML_SINGLE_QUOTED_SCALAR_STYLE: .singleQuoted
                case YAML_DOUBLE_QUOTED_SCALAR_STYLE: .doubleQuoted
                case YAML_LITERAL_SCALAR_STYLE: .literal
                case YAML_FOLDED_SCALAR_STYLE: .folded
                default: .plain
                }
            let node = YAMLNode(.scalar(text, style), mark: at, tag: string(scalar.tag))
            try add(node, anchor: string(scalar.anchor))
        case YAML_ALIAS_EVENT:
            let name = string(event.data.alias.anchor) ?? ""
            guard var node = anchors[name] else {
                throw YAMLError(mark: at, message: "alias `*\(name)` refers to no anchor defined before it")
            }
            nodeCount += count(node)
            if nodeCount > YAMLParser.maximumNodes {
                throw YAMLError(mark: at, message: "aliases expand the document beyond \(YAMLParser.maximumNodes) nodes")
            }
            node.mark = at
            try add(node, anchor: nil)
        case YAML_SEQUENCE_START_EVENT:
            let start = event.data.sequence_start
            stack.append(.sequence(YAMLNode(.sequence([]), mark: at, tag: string(start.tag)), anchor: string(start.anchor), items: []))
        case YAML_MAPPING_START_EVENT:
            let start = event.data.mapping_start
            stack.append(.mapping(YAMLNode(.mapping([]), mark: at, tag: string(start.tag)), anchor: string(start.anchor), pairs: [], pendingKey: nil))
        case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
            guard let open = stack.popLast() else { return }
            switch open {
            case .sequence(var node, let anchor, let items):
                node.content = .sequence(items)
                try add(node, anchor: anchor)
            case .mapping(var node, let anchor, let pairs, _):
                node.content = .mapping(pairs)
                try add(node, anchor: anchor)
            }
        default:
            break
        }
    }

    private mutating func add(_ node: YAMLNode, anchor: String?) throws(YAMLError) {
        nodeCount += 1
        if nodeCount > YAMLParser.maximumNodes {
            throw YAMLError(mark: node.mark, message: "the document has more than \(YAMLParser.maximumNodes) nodes")
        }
        if let anchor { anchors[anchor] = node }
        guard let top = stack.popLast() else {
            document = node.isNull ? nil : node
            return
        }
        switch top {
        case .sequence(let seq, let seqAnchor, var items):
            items.append(node)
            stack.append(.sequence(seq, anchor: seqAnchor, items: items))
        case .mapping(let map, let mapAnchor, var pairs, let pendingKey):
            if let key = pendingKey {
                pairs.append(YAMLNode.Pair(key: key, value: node))
                stack.append(.mapping(map, anchor: mapAnchor, pairs: pairs, pendingKey: nil))
                return
            }
            guard case .scalar(let name, let style) = node.content else {
                throw YAMLError(mark: node.mark, message: "a mapping key must be a plain word, not \(node.kindDescription)")
            }
            if name == "<<" && style == .plain {
                throw YAMLError(mark: node.mark, message: "merge keys (`<<`) are not supported; write the keys out")
            }
            if let first = pairs.first(where: { $0.key.scalar == name }) {
                throw YAMLError(
                    mark: node.mark,
                    message: "duplicate key `\(name)` (first defined at line \(first.key.mark.line), column \(first.key.mark.column))"
                )
            }
            stack.append(.mapping(map, anchor: mapAnchor, pairs: pairs, pendingKey: node))
        }
    }

    private func count(_ node: YAMLNode) -> Int {
        switch node.content {
        case .scalar: 1
        case .sequence(let items): items.reduce(1) { $0 + count($1) }
        case .mapping(let pairs): pairs.reduce(1) { $0 + count($1.key) + count($1.value) }
        }
    }

    private func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: pointer)
    }
}
