/// The prices `tictactoe variant cost` multiplies: AWS's public on-demand prices in one region on
/// one date, in US dollars. Update the figures and ``date`` together; everything else asks this file.
///
/// What depends on traffic (log volume, load balancer capacity units, image storage) is an
/// assumption stated here, so that a reader can put in their own.
public enum PriceTable {
    public static let region = "us-east-1"
    public static let date = "2026-12-01"
    /// Hours in the month the figures are for (365 × 24 / 12).
    public static let hoursPerMonth = 730.0

    /// Fargate, Linux, per vCPU-hour and per GB-hour of memory.
    public static func fargateVCPUHour(_ architecture: FargateArchitecture) -> Double { architecture == .arm64 ? 0.03238 : 0.04048 }
    public static func fargateGBHour(_ architecture: FargateArchitecture) -> Double { architecture == .arm64 ? 0.00356 : 0.004445 }
    public enum FargateArchitecture: Sendable { case amd64, arm64 }

    /// An Application Load Balancer's hour, and one load balancer capacity unit's.
    public static let loadBalancerHour = 0.0225
    public static let loadBalancerLCUHour = 0.008
    /// Assumed: the capacity units a small game uses on average.
    public static let assumedLCUs = 1.0
    /// A public IPv4 address's hour: each task has one, and the load balancer one per zone.
    public static let publicIPv4Hour = 0.005
    /// Assumed: the zones the load balancer spans (the default subnets of two zones at least).
    public static let assumedLoadBalancerZones = 2

    /// Aurora Serverless v2 (PostgreSQL, standard storage): per ACU-hour, and storage per GB-month.
    public static let auroraACUHour = 0.12
    public static let auroraStorageGBMonth = 0.10
    /// Assumed: the games' database stays under this size.
    public static let assumedDatabaseGB = 1.0
    /// RDS for PostgreSQL, single-AZ, per hour (a Multi-AZ instance costs twice); gp3 storage per GB-month.
    public static let rdsInstanceHour: [String: Double] = [
        "db.t4g.micro": 0.016, "db.t4g.small": 0.032, "db.t4g.medium": 0.065, "db.t4g.large": 0.129,
        "db.t3.micro": 0.018, "db.t3.small": 0.036, "db.t3.medium": 0.072,
        "db.m7g.large": 0.168, "db.m6g.large": 0.159, "db.r7g.large": 0.239,
    ]
    public static let rdsStorageGBMonth = 0.115
    /// A Secrets Manager secret's month: the database's generated password.
    public static let secretMonth = 0.40

    /// CloudWatch Logs: ingestion per GB and storage per GB-month.
    public static let logIngestionGB = 0.50
    public static let logStorageGBMonth = 0.03
    /// Assumed: what one task writes a month (JSON access lines and metrics).
    public static let assumedLogGBPerTaskMonth = 1.0
    /// CloudWatch: a dashboard's month and a standard alarm's month.
    public static let dashboardMonth = 3.00
    public static let alarmMonth = 0.10

    /// ECR storage per GB-month.
    public static let ecrGBMonth = 0.10
    /// Assumed: one image's size (compressed) and the releases kept per architecture.
    public static let assumedImageGB = 0.05
    public static let assumedReleasesKept = 10
}
