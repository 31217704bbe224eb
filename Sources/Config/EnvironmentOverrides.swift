public import YAML

/// Environment variables that override the file, as containers expect.
///
/// Each one replaces one key; an empty value counts as unset. Its errors name the variable.
public enum EnvironmentOverrides {
    public static let variables: [(name: String, section: String, key: String)] = [
        ("PORT", "server", "port"),
        ("HOST", "server", "host"),
        ("LOG_LEVEL", "server", "log_level"),
        ("DATABASE_URL", "state", "url"),
        ("TRUSTED_PROXIES", "server", "trusted_proxies"),
        ("BEHIND_HTTPS", "server", "behind_https"),
        // libpq's names for the database's parts (PostgresSettings).
        ("PGHOST", "state", "host"),
        ("PGPORT", "state", "port"),
        ("PGDATABASE", "state", "database"),
        ("PGUSER", "state", "user"),
        ("PGPASSWORD", "state", "password"),
        ("PGSSLMODE", "state", "sslmode"),
        ("PGSSLROOTCERT", "state", "sslrootcert"),
    ]

    /// Variables taken as text whatever they hold (a password of `null` or `true` is a password).
    static let textVariables: Set<String> = ["PGHOST", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLROOTCERT", "DATABASE_URL"]

    /// `root` with every set variable written in as a plain scalar marked with the variable's name.
    public static func apply(_ environment: [String: String], to root: YAMLNode?, source: String) -> YAMLNode? {
        var root = root
        for (name, section, key) in variables {
            guard let value = environment[name], !value.isEmpty else { continue }
            let mark = Mark(source: "environment variable \(name)", line: 0, column: 0)
            let scalar = YAMLNode(.scalar(value, textVariables.contains(name) ? .doubleQuoted : .plain), mark: mark)
            root = setting(scalar, at: section, key, in: root, fileMark: Mark(source: source, line: 1, column: 1))
        }
        return root
    }

    private static func setting(_ value: YAMLNode, at section: String, _ key: String, in root: YAMLNode?, fileMark: Mark) -> YAMLNode {
        var top = root.flatMap { $0.isNull ? nil : $0 } ?? YAMLNode(.mapping([]), mark: fileMark)
        guard case .mapping(var pairs) = top.content else { return top }
        let keyNode = YAMLNode(.scalar(key, .plain), mark: value.mark)
        if let s = pairs.firstIndex(where: { $0.key.scalar == section }) {
            var inner = pairs[s].value
            if inner.isNull { inner = YAMLNode(.mapping([]), mark: inner.mark) }
            if case .mapping(var innerPairs) = inner.content {
                if let k = innerPairs.firstIndex(where: { $0.key.scalar == key }) {
                    innerPairs[k].value = value
                } else {
                    innerPairs.append(.init(key: keyNode, value: value))
                }
                inner.content = .mapping(innerPairs)
                pairs[s].value = inner
            }
            // A section that is not a mapping is reported by the decoder at its own position.
        } else {
            let sectionNode = YAMLNode(.mapping([.init(key: keyNode, value: value)]), mark: value.mark)
            pairs.append(.init(key: YAMLNode(.scalar(section, .plain), mark: value.mark), value: sectionNode))
        }
        top.content = .mapping(pairs)
        return top
    }
}
