/// Any JSON value, so that a request body is checked field by field with messages that name
/// the field and what was wrong with it.
enum JSONValue: Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    var summary: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? "\(Int(n))" : "\(n)"
        case .string: "a string"
        case .array: "a list"
        case .object: "an object"
        }
    }
}

/// A request body's top-level object.
struct JSONObject {
    let fields: [String: JSONValue]

    /// The integer under `key`; `nil` when absent. Refuses other types, fractions and numbers
    /// beyond ±2^53 with a 400 naming the field.
    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = fields[key] else { return nil }
        guard case .number(let number) = value, number == number.rounded(), abs(number) <= 9_007_199_254_740_992 else {
            throw APIError(.badRequest, "invalid_body", "`\(key)` must be an integer, not \(value.summary)")
        }
        return Int(number)
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = fields[key] else { return nil }
        guard case .string(let text) = value else {
            throw APIError(.badRequest, "invalid_body", "`\(key)` must be a string, not \(value.summary)")
        }
        return text
    }
}
