import JSONText
public import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each message as one JSON object on one line of standard output, the shape CloudWatch
/// Logs and most collectors parse: `{"time":…,"level":…,"label":…,"message":…,…metadata}`.
///
/// Lines from concurrent tasks never interleave, and are written off the caller's thread by
/// `output` (standard output unless told otherwise).
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String
    private let output: BufferedLogOutput

    public init(label: String, output: BufferedLogOutput = .standardOutput) {
        self.label = label
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = "{\"time\":\"\(Self.timestamp())\",\"level\":\"\(event.level)\",\"label\":\(jsonQuoted(label)),\"message\":\(jsonQuoted("\(event.message)"))"
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += ",\(jsonQuoted(key)):\(jsonQuoted("\(value)"))"
        }
        line += "}\n"
        output.append(Array(line.utf8))
    }

    /// UTC, ISO 8601 with milliseconds.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = spec.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}
