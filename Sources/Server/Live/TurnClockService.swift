import ServiceLifecycle

/// Ends the watched games of this process whose turn clock ran out, at their deadline, so that
/// both pages see the result without anyone asking. Games nobody watches end at their next read
/// (``GameService/game(_:)``); either way the ending is stored exactly once, whichever process
/// notices first.
struct TurnClockService: Service {
    let service: GameService
    var interval = Duration.milliseconds(250)

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                for id in service.events.gamesOutOfTime(at: service.now()) {
                    _ = try? await service.game(id.rawValue)
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
