import Locking

/// The games this process wrote or read last, so that a move need not read its game back from
/// the store before writing it.
///
/// A copy here may be stale: another process sharing the store may have changed the game since.
/// That is safe because every write names the version it was computed from; a move computed from
/// a stale copy is refused by the store as a conflict, and ``GameService`` then recomputes it
/// from the stored game. Reads that answer clients (`GET`) never come from here.
///
/// Holds at most `capacity` games; when full, the oldest entry goes first.
final class RecentGames: Sendable {
    private struct Entries {
        var records: [GameID: GameRecord] = [:]
        var order: [GameID] = []
        var head = 0
    }

    private let entries = Mutex(Entries())
    let capacity: Int

    init(capacity: Int = 4096) {
        self.capacity = capacity
    }

    func game(_ id: GameID) -> GameRecord? {
        entries.withLock { $0.records[id] }
    }

    func remember(_ record: GameRecord) {
        entries.withLock { e in
            if e.records.updateValue(record, forKey: record.id) != nil { return }
            if e.order.count < capacity {
                e.order.append(record.id)
            } else {
                e.records[e.order[e.head]] = nil
                e.order[e.head] = record.id
                e.head = (e.head + 1) % capacity
            }
        }
    }

    /// Drops `id`, a game the store no longer has.
    func forget(_ id: GameID) {
        _ = entries.withLock { $0.records.removeValue(forKey: id) }
    }
}
