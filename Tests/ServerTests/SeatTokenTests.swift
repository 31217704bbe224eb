import Server
import Testing

@Suite struct SeatTokenTests {
    @Test func randomTokensAre43URLSafeCharactersAndDiffer() {
        let tokens = (0..<100).map { _ in SeatToken.random().rawValue }
        #expect(Set(tokens).count == 100)
        for token in tokens {
            #expect(token.count == 43)
            #expect(SeatToken(token)?.rawValue == token)
        }
    }

    @Test func hashIsTheTokensSHA256InHex() throws {
        let token = try #require(SeatToken("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))
        #expect(token.hash.rawValue == "0f007385b6f9d4b7eeb2748605afe1a984a0a3bfa3f014d09e2a784ce9e5cd1a")
    }

    @Test func refusesAnythingThatIsNotAToken() {
        for text in ["", "short", String(repeating: "A", count: 42), String(repeating: "A", count: 44), String(repeating: "+", count: 43)] {
            #expect(SeatToken(text) == nil)
        }
    }

    @Test func neverPrintsItself() {
        let token = SeatToken.random()
        #expect("\(token)" == "SeatToken(***)")
        #expect(!String(describing: token).contains(token.rawValue))
    }
}
