/// A game's public identifier: 16 URL-safe characters carrying 96 random bits from the system's
/// secure generator, so one id tells nothing about another.
public struct GameID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Accepts only strings that a ``random()`` id could be; anything else is no game.
    public init?(_ text: some StringProtocol) {
        let bytes = text.utf8
        guard bytes.count == 16, bytes.allSatisfy(Self.isIDByte) else { return nil }
        rawValue = String(text)
    }

    private static func isIDByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "_"):
            true
        default:
            false
        }
    }

    public static func random() -> GameID {
        var generator = SystemRandomNumberGenerator()
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for _ in 0..<2 {
            var bits = generator.next() as UInt64
            // 8 characters of 6 bits = 48 bits per round, 96 in all.
            for _ in 0..<8 {
                bytes.append(alphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        return GameID(uncheckedRawValue: String(decoding: bytes, as: UTF8.self))
    }

    private init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }

    public var description: String { rawValue }
}
