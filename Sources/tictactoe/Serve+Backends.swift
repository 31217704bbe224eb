import Server

#if PostgreSQL
import PostgresStore
#endif

extension Serve {
    /// The `postgres` backend when this build has the `PostgreSQL` trait: the one place that
    /// decides which optional backends the executable links.
    static var postgres: PostgresOpener? {
        #if PostgreSQL
        PostgresGameStore.open
        #else
        nil
        #endif
    }
}
