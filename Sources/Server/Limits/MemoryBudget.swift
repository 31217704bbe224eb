public import Config

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Sizes the connection and stream caps that a config leaves to `auto` from the memory this
/// process may use, so that a task filled to every cap stays within its memory.
///
/// The limit is the smallest memory limit of the process's cgroups (`memory.max` in cgroup v2,
/// `memory.limit_in_bytes` in v1, found through `/proc/self/cgroup`, as in a container or a
/// systemd unit) when there is one, else the machine's physical memory.
/// A quarter of it goes to connections and a quarter to streams, at the per-item costs below
/// (`make bench` measures about 27 KB for either, resident); the rest is for games, buffers and
/// the runtime. A 512 MiB task gets 4,096 connections and 2,730 streams, and stays under half its
/// memory with both caps full.
public struct MemoryBudget: Sendable, Equatable {
    /// Bytes the process may use.
    public var limitBytes: Int
    /// Where ``limitBytes`` came from, for the start-up log line.
    public var source: String

    /// Resident bytes budgeted for one open, idle keep-alive connection.
    public static let bytesPerConnection = 32 * 1024
    /// Resident bytes budgeted for one live stream, its connection and buffered events included.
    public static let bytesPerStream = 48 * 1024

    public init(limitBytes: Int, source: String) {
        self.limitBytes = limitBytes
        self.source = source
    }

    /// The budget of this process, read once at start-up.
    public static func current() -> MemoryBudget {
        let memberships = readText("/proc/self/cgroup") ?? ""
        var limits: [(Int, String)] = []
        for line in memberships.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            guard fields.count == 3 else { continue }
            let path = fields[2] == "/" ? "" : String(fields[2])
            if fields[0] == "0", fields[1].isEmpty {
                // cgroup v2: the process's own group, or the root of a container's namespace.
                for file in ["/sys/fs/cgroup\(path)/memory.max", "/sys/fs/cgroup/memory.max"] {
                    if let limit = readNumber(file) { limits.append((limit, "cgroup \(file)")) }
                }
            } else if fields[1].split(separator: ",").contains("memory") {
                // cgroup v1 reports "no limit" as a huge number near Int64.max.
                for file in ["/sys/fs/cgroup/memory\(path)/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
                    if let limit = readNumber(file), limit < 1 << 50 { limits.append((limit, "cgroup \(file)")) }
                }
            }
        }
        if let smallest = limits.min(by: { $0.0 < $1.0 }) {
            return MemoryBudget(limitBytes: smallest.0, source: smallest.1)
        }
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        if pages > 0, pageSize > 0 {
            return MemoryBudget(limitBytes: pages * pageSize, source: "physical memory")
        }
        return MemoryBudget(limitBytes: 512 << 20, source: "assumed (no limit readable)")
    }

    /// `server.max_connections`, or the quarter of the budget that connections may use.
    public func maxConnections(_ server: ServerSettings) -> Int {
        server.maxConnections ?? Self.clamp(limitBytes / 4 / Self.bytesPerConnection, 64...100_000)
    }

    /// `server.streams.max`, or the quarter of the budget that streams may use.
    public func maxStreams(_ server: ServerSettings) -> Int {
        server.streams.max ?? Self.clamp(limitBytes / 4 / Self.bytesPerStream, 16...20_000)
    }

    private static func clamp(_ value: Int, _ range: ClosedRange<Int>) -> Int {
        min(max(value, range.lowerBound), range.upperBound)
    }

    /// The decimal number a file holds, `nil` if it is absent or says `max`.
    private static func readNumber(_ path: String) -> Int? {
        readText(path).flatMap { Int($0.filter { !$0.isWhitespace }) }
    }

    /// The first 4 KiB of a file.
    private static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }
}
