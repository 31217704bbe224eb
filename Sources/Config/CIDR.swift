/// A block of IP addresses, such as `10.0.0.0/16` or `fd00::/8`; a bare address is a block of one.
///
/// Used for `server.trusted_proxies`. Parsing is strict (no hostnames, no zone ids, prefix within
/// the family's width), so a typo is refused at start-up instead of trusting the wrong peers.
public struct CIDR: Hashable, Sendable, CustomStringConvertible {
    /// The address bytes: 4 for IPv4, 16 for IPv6.
    public let network: [UInt8]
    public let prefixLength: Int

    /// Parses `text`; `nil` if it is not an address or address/prefix.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddressBytes.parse(String(parts[0])) else { return nil }
        let width = address.count * 8
        var length = width
        if parts.count == 2 {
            guard let prefix = Int(parts[1]), (0...width).contains(prefix), parts[1].allSatisfy(\.isNumber) else { return nil }
            length = prefix
        }
        network = Self.masked(address, to: length)
        prefixLength = length
    }

    /// Whether `address` (text as NIO prints peers, e.g. `10.1.2.3` or `::1`) lies in this block.
    /// IPv4 addresses mapped into IPv6 (`::ffff:10.1.2.3`) count as IPv4.
    public func contains(_ address: String) -> Bool {
        guard let bytes = IPAddressBytes.parse(address) else { return false }
        return contains(bytes: bytes)
    }

    public func contains(bytes: [UInt8]) -> Bool {
        let bytes = IPAddressBytes.unmapped(bytes)
        guard bytes.count == network.count else { return false }
        return Self.masked(bytes, to: prefixLength) == network
    }

    public var description: String {
        "\(IPAddressBytes.format(network))/\(prefixLength)"
    }

    private static func masked(_ bytes: [UInt8], to length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let bits = max(0, min(8, length - index * 8))
            return bits == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
        }
    }
}

/// IP addresses as bytes, parsed and printed without the C library, so behaviour is the same on
/// every platform.
public enum IPAddressBytes {
    /// 4 bytes for dotted IPv4, 16 for IPv6 (with `::` and an optional dotted IPv4 tail).
    public static func parse(_ text: String) -> [UInt8]? {
        if text.contains(":") { return unmapped(parseIPv6(text)) }
        return parseIPv4(Substring(text))
    }

    /// `::ffff:a.b.c.d` as the IPv4 address it carries; anything else unchanged.
    static func unmapped(_ bytes: [UInt8]?) -> [UInt8]? {
        guard let bytes else { return nil }
        return unmapped(bytes)
    }

    static func unmapped(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.count == 16, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return bytes }
        return Array(bytes[12...])
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber),
                let value = UInt8(part), part == "0" || !part.hasPrefix("0")
            else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = parseIPv4(text[text.index(after: lastColon)...]) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt8]? {
            if part.isEmpty { return [] }
            var bytes: [UInt8] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(group.count), let value = UInt16(group, radix: 16) else { return nil }
                bytes += [UInt8(value >> 8), UInt8(value & 0xFF)]
            }
            return bytes
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 {
            let all = head + tail
            return all.count == 16 ? all : nil
        }
        guard let rest = groups(halves[1]) else { return nil }
        let known = head.count + rest.count + tail.count
        guard known <= 14 else { return nil }
        return head + Array(repeating: 0, count: 16 - known) + rest + tail
    }

    /// Dotted IPv4, or IPv6 as eight hexadecimal groups with the longest run of zeros as `::`.
    public static func format(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        let groups = stride(from: 0, to: bytes.count, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
        var best = (start: -1, length: 0)
        var index = 0
        while index < groups.count {
            guard groups[index] == 0 else {
                index += 1
                continue
            }
            var end = index
            while end < groups.count, groups[end] == 0 { end += 1 }
            if end - index > best.length, end - index > 1 { best = (index, end - index) }
            index = end
        }
        let hex = groups.map { String($0, radix: 16) }
        guard best.start >= 0 else { return hex.joined(separator: ":") }
        return hex[..<best.start].joined(separator: ":") + "::" + hex[(best.start + best.length)...].joined(separator: ":")
    }
}

extension Substring {
    /// The parts around `::`: one part when there is none, two when there is one, more when the
    /// text is malformed.
    fileprivate func components(separatedByDoubleColon _: Void) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":", next < endIndex, self[next] == ":" {
                parts.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        parts.append(self[start...])
        return parts
    }
}

extension CIDR {
    /// Whether `text` is an IPv4 block written as `A.B.C.D/N`, as security group rules take it.
    public static func isIPv4(_ text: String) -> Bool {
        let pieces = text.split(separator: "/", omittingEmptySubsequences: false)
        guard pieces.count == 2, let prefix = Int(pieces[1]), (0...32).contains(prefix) else { return false }
        let octets = pieces[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }
}
