/// The PostgreSQL database a variant's stack creates with it (`deploy.database`), so that a
/// variant with `state.backend: postgres` deploys on an empty account with nothing made by hand.
///
/// Only the major engine version is named: AWS applies minor versions itself, and a pinned minor
/// that AWS retires would make every later deploy fail.
public struct DatabaseSettings: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Aurora Serverless v2: capacity in ACUs between `min_acu` and `max_acu`; at 0 ACU it
        /// pauses when unused and resumes in about 15 s.
        case auroraServerless = "aurora-serverless"
        /// One RDS for PostgreSQL instance: the cheapest database that is always on.
        case instance
    }

    /// What deleting the stack (or replacing the database) does to the data. Never plain deletion.
    public enum OnDelete: String, Hashable, Sendable, CaseIterable {
        /// A final snapshot is taken, then the database is deleted.
        case snapshot
        /// The database is left as it is, outside the stack.
        case retain

        /// CloudFormation's `DeletionPolicy` and `UpdateReplacePolicy` value.
        public var policy: String { self == .snapshot ? "Snapshot" : "Retain" }
    }

    public var kind = Kind.auroraServerless
    /// The PostgreSQL major version, e.g. 16.
    public var engineVersion = 16
    /// Aurora Serverless v2 capacity, in ACUs (steps of 0.5).
    public var minACU = 0.0
    public var maxACU = 2.0
    /// Seconds without connections before an Aurora Serverless v2 database at 0 ACU pauses.
    public var autoPauseSeconds: Int?
    /// `instance`: the instance class, storage in GiB, and a standby in a second zone.
    public var instanceClass = "db.t4g.micro"
    public var storageGiB = 20
    public var multiAZ = false
    public var onDelete = OnDelete.snapshot
    /// While on, the database cannot be deleted (nor the stack with it) until it is turned off.
    public var deletionProtection = false
    /// Days of automated backups (1–35).
    public var backupRetentionDays = 7
    /// The database name the server uses, and the master user's name.
    public var name = "tictactoe"
    public var user = "tictactoe"

    public init() {}

    /// Where every image of a `postgres` variant carries Amazon RDS's certificate authorities
    /// (the Dockerfiles copy the pinned bundle here; Debian's `ca-certificates` lacks them), so
    /// that the stack's tasks connect with `verify-full`.
    public static let caBundlePath = "/etc/ssl/certs/rds-ca-bundle.pem"
    /// Where image builds download that bundle (Amazon's global bundle, every region's CAs).
    public static let caBundleURL = "https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem"

    /// Major versions of each kind: Serverless v2 needs Aurora PostgreSQL 13 or later; an instance
    /// 15 or later, whose default parameters force TLS (`rds.force_ssl = 1`).
    public static let engineVersions: [Kind: ClosedRange<Int>] = [.auroraServerless: 13...17, .instance: 15...17]

    /// The RDS parameter group family, e.g. `aurora-postgresql16` or `postgres16`.
    public var parameterFamily: String { kind == .auroraServerless ? "aurora-postgresql\(engineVersion)" : "postgres\(engineVersion)" }
}
