import Crypto

/// The secret that lets one browser play one seat of an online game.
///
/// 256 random bits from the system's secure generator, written as 43 URL-safe base64 characters.
/// The server keeps only ``TokenHash``: a stolen database does not let anyone move.
public struct SeatToken: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    public init?(_ rawValue: String) {
        guard rawValue.utf8.count == 43, rawValue.utf8.allSatisfy(Self.isURLSafe) else { return nil }
        self.rawValue = rawValue
    }

    private init(unchecked rawValue: String) { self.rawValue = rawValue }

    private static func isURLSafe(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default: false
        }
    }

    public static func random() -> SeatToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next() as UInt64) { Array($0) } }
        return SeatToken(unchecked: String(base64URL: bytes))
    }

    public var hash: TokenHash {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(rawValue.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 15)])
        }
        return TokenHash(rawValue: String(decoding: hex, as: UTF8.self))
    }

    /// Never the token itself, so that it cannot reach a log by accident.
    public var description: String { "SeatToken(***)" }
}

/// A seat token's SHA-256, in lowercase hex: what the stores keep.
public struct TokenHash: Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

extension String {
    /// Unpadded base64url (RFC 4648 §5).
    init(base64URL bytes: [UInt8]) {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var i = 0
        while i < bytes.count {
            let chunk = bytes[i..<Swift.min(i + 3, bytes.count)]
            var value = 0
            for byte in chunk { value = value << 8 | Int(byte) }
            value <<= 8 * (3 - chunk.count)
            for j in 0..<(chunk.count + 1) { out.append(alphabet[(value >> (18 - 6 * j)) & 63]) }
            i += 3
        }
        self = String(decoding: out, as: UTF8.self)
    }
}
