/// A game's public identifier: 16 URL-safe characters carrying 96 random bits from the system's
/// secure generator, so one id tells nothing about another.
public struct GameID: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    /// Accepts only strings that a ``random()`` id could be; anything else is no game.
    public init?(_ text: some StringProtocol) {
        guard text.count == 16, text.allSatisfy({ Self.alphabet.contains($0) }) else { return nil }
        rawValue = String(text)
    }

    public static func random() -> GameID {
        var generator = SystemRandomNumberGenerator()
        var characters: [Character] = []
        characters.reserveCapacity(16)
        for _ in 0..<2 {
            var bits = generator.next() as UInt64
            // 8 characters of 6 bits = 48 bits per round, 96 in all.
            for _ in 0..<8 {
                characters.append(alphabet[Int(bits & 63)])
                bits >>= 6
            }
        }
        return GameID(uncheckedRawValue: String(characters))
    }

    private init(uncheckedRawValue: String) { rawValue = uncheckedRawValue }

    public var description: String { rawValue }
}
