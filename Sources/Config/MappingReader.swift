import YAML

/// Reads one YAML mapping against a fixed set of keys, turning every mismatch into a
/// ``ConfigError`` that names the key path and position.
///
/// Mistakes are noted in `problems`, not thrown: a key that is wrong takes its default and reading
/// goes on, so that one pass reports every mistake in the file. (The `throws` of the getters is
/// for the checks their callers add.)
struct MappingReader {
    let path: String
    let mark: Mark
    let problems: ConfigProblems
    private let values: [String: YAMLNode]

    /// - Parameters:
    ///   - node: the mapping, or `nil`/null for an absent section (every key takes its default).
    ///   - allowed: the valid keys; any other key is noted with the nearest valid one suggested,
    ///     and skipped.
    init(_ node: YAMLNode?, path: String, parentMark: Mark, allowed: [String], problems: ConfigProblems) {
        self.path = path
        self.problems = problems
        mark = node?.mark ?? parentMark
        guard let node, !node.isNull else {
            values = [:]
            return
        }
        guard case .mapping(let pairs) = node.content else {
            problems.note(
                ConfigError(
                    .wrongType,
                    at: node.mark,
                    key: path.isEmpty ? nil : path,
                    "expected a mapping of settings, found \(node.kindDescription)"
                )
            )
            values = [:]
            return
        }
        var values: [String: YAMLNode] = [:]
        for pair in pairs {
            let name = pair.key.scalar ?? ""
            guard allowed.contains(name) else {
                let full = path.isEmpty ? name : "\(path).\(name)"
                let hint =
                    nearestName(to: name, in: allowed).map { "; did you mean `\($0)`?" }
                    ?? "; valid keys are \(allowed.map { "`\($0)`" }.joined(separator: ", "))"
                problems.note(ConfigError(.unknownKey, at: pair.key.mark, key: full, "unknown key `\(name)`" + hint))
                continue
            }
            values[name] = pair.value
        }
        self.values = values
    }

    /// `body`'s value, or `fallback` with the mistake noted.
    private func noting<T>(_ fallback: T, _ body: () throws(ConfigError) -> T) -> T {
        do {
            return try body()
        } catch {
            problems.note(error)
            return fallback
        }
    }

    func keyPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The node under `key`, treating null as absent.
    /// Whether the mapping gives `key` a value (not null).
    func has(_ key: String) -> Bool { node(key) != nil }

    func node(_ key: String) -> YAMLNode? {
        guard let node = values[key], !node.isNull else { return nil }
        return node
    }

    func section(_ key: String, allowed: [String]) throws(ConfigError) -> MappingReader {
        MappingReader(values[key], path: keyPath(key), parentMark: mark, allowed: allowed, problems: problems)
    }

    func int(_ key: String, default fallback: Int, in range: ClosedRange<Int>, unit: String = "") throws(ConfigError) -> Int {
        noting(fallback) { () throws(ConfigError) in try strictInt(key, default: fallback, in: range, unit: unit) }
    }

    private func strictInt(_ key: String, default fallback: Int, in range: ClosedRange<Int>, unit: String) throws(ConfigError) -> Int {
        guard let node = node(key) else { return fallback }
        let expected = "an integer\(unit) from \(range.lowerBound) to \(range.upperBound)"
        guard case .scalar(let text, let style) = node.content else {
            throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected \(expected), found \(node.kindDescription)")
        }
        guard style == .plain else {
            throw ConfigError(
                .wrongType,
                at: node.mark,
                key: keyPath(key),
                "expected \(expected), found the quoted string \"\(text)\" (remove the quotes)"
            )
        }
        guard let value = Int(text.replacingUnderscores) else {
            throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected \(expected), found `\(text)`")
        }
        guard range.contains(value) else {
            throw ConfigError(.outOfRange, at: node.mark, key: keyPath(key), "expected \(expected), found \(value)")
        }
        return value
    }

    /// A decimal number within `range` that is a whole multiple of `1 / stepsPerUnit` (ACU in
    /// halves, percentages in tenths). A mistake is thrown, not noted: the callers check more.
    func stepped(
        _ key: String,
        default fallback: Double,
        in range: ClosedRange<Double>,
        stepsPerUnit: Double,
        expected: String
    ) throws(ConfigError) -> Double {
        guard let node = node(key) else { return fallback }
        guard let text = node.scalar, let value = Double(text), range.contains(value),
            (value * stepsPerUnit).rounded() == value * stepsPerUnit
        else {
            throw ConfigError(.invalidValue, at: node.mark, key: keyPath(key), "expected \(expected), found \(node.kindDescription)")
        }
        return value
    }

    func optionalInt(_ key: String, in range: ClosedRange<Int>, unit: String = "") throws(ConfigError) -> Int? {
        guard node(key) != nil else { return nil }
        return noting(nil) { () throws(ConfigError) in try strictInt(key, default: range.lowerBound, in: range, unit: unit) }
    }

    func bool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        noting(fallback) { () throws(ConfigError) in try strictBool(key, default: fallback) }
    }

    private func strictBool(_ key: String, default fallback: Bool) throws(ConfigError) -> Bool {
        guard let node = node(key) else { return fallback }
        if case .scalar(let text, .plain) = node.content {
            switch text {
            case "true", "True", "TRUE": return true
            case "false", "False", "FALSE": return false
            default: break
            }
        }
        throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected true or false, found \(node.kindDescription)")
    }

    func string(_ key: String, default fallback: String?) throws(ConfigError) -> String? {
        noting(fallback) { () throws(ConfigError) in try strictString(key, default: fallback) }
    }

    private func strictString(_ key: String, default fallback: String?) throws(ConfigError) -> String? {
        guard let node = node(key) else { return fallback }
        guard case .scalar(let text, _) = node.content else {
            throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected a string, found \(node.kindDescription)")
        }
        return text
    }

    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        noting(fallback) { () throws(ConfigError) in try strictChoice(key, default: fallback) }
    }

    private func strictChoice<Choice: RawRepresentable & CaseIterable>(_ key: String, default fallback: Choice) throws(ConfigError) -> Choice
    where Choice.RawValue == String {
        guard let node = node(key) else { return fallback }
        let names = Choice.allCases.map(\.rawValue)
        let list = names.map { "`\($0)`" }.joined(separator: ", ")
        guard case .scalar(let text, _) = node.content else {
            throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected one of \(list), found \(node.kindDescription)")
        }
        guard let value = Choice(rawValue: text) else {
            let hint = nearestName(to: text, in: names).map { "; did you mean `\($0)`?" } ?? ""
            throw ConfigError(.invalidValue, at: node.mark, key: keyPath(key), "expected one of \(list), found `\(text)`\(hint)")
        }
        return value
    }

    func stringList(_ key: String) throws(ConfigError) -> [(String, Mark)]? {
        noting(nil) { () throws(ConfigError) in try strictStringList(key) }
    }

    private func strictStringList(_ key: String) throws(ConfigError) -> [(String, Mark)]? {
        guard let node = node(key) else { return nil }
        guard case .sequence(let items) = node.content else {
            throw ConfigError(.wrongType, at: node.mark, key: keyPath(key), "expected a list, found \(node.kindDescription)")
        }
        var result: [(String, Mark)] = []
        for item in items {
            guard case .scalar(let text, _) = item.content, !item.isNull else {
                throw ConfigError(.wrongType, at: item.mark, key: keyPath(key), "expected a string in the list, found \(item.kindDescription)")
            }
            result.append((text, item.mark))
        }
        return result
    }

    /// A list of CIDR blocks, as a YAML list or one string of comma-separated blocks (the form an
    /// environment variable gives). Absent means none.
    func cidrList(_ key: String) throws(ConfigError) -> [CIDR] {
        noting([]) { () throws(ConfigError) in try strictCIDRList(key) }
    }

    private func strictCIDRList(_ key: String) throws(ConfigError) -> [CIDR] {
        guard let node = node(key) else { return [] }
        var items: [(String, Mark)]
        if case .scalar(let text, _) = node.content {
            items = text.split(separator: ",").map { part in
                (String(part.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()), node.mark)
            }
        } else {
            items = try strictStringList(key) ?? []
        }
        var blocks: [CIDR] = []
        for (text, mark) in items {
            guard let block = CIDR(text) else {
                throw ConfigError(
                    .invalidValue,
                    at: mark,
                    key: keyPath(key),
                    "expected an IP address or CIDR block such as 10.0.0.0/16 or fd00::/8, found `\(text)`"
                )
            }
            blocks.append(block)
        }
        return blocks
    }

    /// The position to blame for `key`: its value if present, else this mapping.
    func mark(of key: String) -> Mark { values[key]?.mark ?? mark }

    /// The error for `key`'s value: at its position (or the section's, when it is missing), named by
    /// its full path such as `deploy.database.name`.
    func invalid(_ key: String, _ message: String, kind: ConfigError.Kind = .invalidValue) -> ConfigError {
        ConfigError(kind, at: mark(of: key), key: keyPath(key), message)
    }
}

extension String {
    /// `10_000` reads as `10000`, as in YAML 1.1 and Swift.
    fileprivate var replacingUnderscores: String { String(filter { $0 != "_" }) }
}
