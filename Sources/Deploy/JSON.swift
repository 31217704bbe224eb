import JSONText

/// A JSON document with keys in a fixed order, so that rendering the same input always gives
/// the same bytes.
public indirect enum JSON: Equatable, Sendable {
    case string(String)
    case int(Int)
    /// A number in halves (Aurora capacity units): written as `0.5`, or as `2` when whole.
    case halves(Int)
    /// A number in tenths, written as a decimal: `.tenths(25)` is `2.5`, `.tenths(100)` is `10`.
    case tenths(Int)
    case bool(Bool)
    case null
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.string(let a), .string(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.halves(let a), .halves(let b)): a == b
        case (.tenths(let a), .tenths(let b)): a == b
        case (.bool(let a), .bool(let b)): a == b
        case (.null, .null): true
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Two-space indented text with a final newline.
    public var rendered: String {
        var out = ""
        write(to: &out, indent: 0)
        return out + "\n"
    }

    private func write(to out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1)
        let close = String(repeating: "  ", count: indent)
        switch self {
        case .string(let s): out += jsonQuoted(s)
        case .int(let i): out += String(i)
        case .halves(let h): out += h % 2 == 0 ? String(h / 2) : "\(h / 2).5"
        case .tenths(let t): out += t % 10 == 0 ? String(t / 10) : "\(t / 10).\(t % 10)"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(to: &out, indent: indent + 1)
                out += i < items.count - 1 ? ",\n" : "\n"
            }
            out += close + "]"
        case .object(let fields):
            guard !fields.isEmpty else {
                out += "{}"
                return
            }
            out += "{\n"
            for (i, (key, value)) in fields.enumerated() {
                out += pad + jsonQuoted(key) + ": "
                value.write(to: &out, indent: indent + 1)
                out += i < fields.count - 1 ? ",\n" : "\n"
            }
            out += close + "}"
        }
    }

    /// The same document with every object key's first letter upper-cased: CloudFormation's
    /// spelling of the ECS API's fields.
    public var pascalCased: JSON {
        switch self {
        case .array(let items): .array(items.map(\.pascalCased))
        case .object(let fields): .object(fields.map { (Self.upperFirst($0.0), $0.1.pascalCased) })
        default: self
        }
    }

    static func upperFirst(_ key: String) -> String {
        guard let first = key.first else { return key }
        return first.uppercased() + key.dropFirst()
    }
}
