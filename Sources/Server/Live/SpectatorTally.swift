/// Adds up spectators across the processes that share a backend; backends that one process owns
/// need none, since that process sees every stream.
public protocol SpectatorTally: Sendable {
    /// Records `local` (this process's spectator streams of each game it streams, zeros included)
    /// under `process`, and returns the spectators of those games in all processes. Approximate:
    /// another process's figures are as old as its last report, and a process that stopped
    /// reporting is no longer counted after half a minute.
    func tallySpectators(process: String, local: [GameID: Int]) async throws(StoreError) -> [GameID: Int]
}
