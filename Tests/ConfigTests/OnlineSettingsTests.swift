import Testing

@testable import Config

/// The `online:` section: turn clocks and the quick-match queue's bounds.
@Suite struct OnlineSettingsTests {
    @Test func linkGamesHaveNoClockAndQuickMatchesThirtySeconds() throws {
        let online = try ConfigLoader.parse("", source: "empty.yaml").online
        #expect(online.turnSeconds == nil)
        #expect(online.match == MatchSettings(turnSeconds: 30, waitSeconds: 120, perClient: 2, max: 1000))
    }

    @Test func readsEveryKeyAndOffTurnsAClockOff() throws {
        let yaml = "online:\n  turn_s: 45\n  match: {turn_s: off, wait_s: 60, per_client: 1, max: 50}\n"
        let online = try ConfigLoader.parse(yaml, source: "online.yaml").online
        #expect(online.turnSeconds == 45)
        #expect(online.match == MatchSettings(turnSeconds: nil, waitSeconds: 60, perClient: 1, max: 50))
    }

    @Test(arguments: [
        ("online: {turn_s: 0}", "online.yaml:1:18: online.turn_s: expected an integer (seconds, or `off`) from 1 to 86400, found 0"),
        ("online: {match: {wait_s: 1}}", "online.yaml:1:26: online.match.wait_s: expected an integer (seconds) from 5 to 3600, found 1"),
        ("online: {match: {maxx: 3}}", "online.yaml:1:18: online.match.maxx: unknown key `maxx`; did you mean `max`?"),
        ("online: {turn: 5}", "online.yaml:1:10: online.turn: unknown key `turn`; did you mean `turn_s`?"),
    ])
    func refusesWhatItCannotUseWithWhere(yaml: String, message: String) throws {
        #expect(throws: (any Error).self) { try ConfigLoader.parse(yaml, source: "online.yaml") }
        do {
            _ = try ConfigLoader.parse(yaml, source: "online.yaml")
        } catch {
            #expect("\(error)" == message)
        }
    }
}
