/// Tells this process which games other processes changed, for backends that several processes
/// share. Backends that one process owns need none: ``GameService`` publishes its own writes.
public protocol GameChangeFeed: Sendable {
    /// Calls `onChange` with the id of each game changed anywhere, until the task is cancelled;
    /// with `nil` when changes may have been missed (after a reconnection), so that every watched
    /// game is read again.
    func follow(_ onChange: @escaping @Sendable (GameID?) async -> Void) async
}
