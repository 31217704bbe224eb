import JSONText
import Locking
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
        var line: [UInt8] = []
        line.reserveCapacity(320)
        line.append(contentsOf: Self.timeKey)
        Self.appendTimestamp(to: &line)
        line.append(contentsOf: Self.levelKey)
        line.append(contentsOf: Self.levelNames[event.level] ?? Array("\"\(event.level)\"".utf8))
        line.append(contentsOf: Self.labelKey)
        appendJSONQuoted(label, to: &line)
        line.append(contentsOf: Self.messageKey)
        appendJSONQuoted("\(event.message)", to: &line)
        // The handler's metadata, then the event's, which wins for a key both have.
        let extra = event.metadata ?? [:]
        for (key, value) in metadata where extra[key] == nil {
            Self.append(key, value, to: &line)
        }
        for (key, value) in extra {
            Self.append(key, value, to: &line)
        }
        line.append(contentsOf: [UInt8(ascii: "}"), UInt8(ascii: "\n")])
        output.append(line)
    }

    private static func append(_ key: String, _ value: Logger.MetadataValue, to line: inout [UInt8]) {
        line.append(UInt8(ascii: ","))
        appendJSONQuoted(key, to: &line)
        line.append(UInt8(ascii: ":"))
        switch value {
        case .string(let text): appendJSONQuoted(text, to: &line)
        case .stringConvertible(let convertible): appendJSONQuoted(convertible.description, to: &line)
        default: appendJSONQuoted(value.description, to: &line)
        }
    }

    private static let timeKey = Array("{\"time\":\"".utf8)
    private static let levelKey = Array("\",\"level\":".utf8)
    private static let labelKey = Array(",\"label\":".utf8)
    private static let messageKey = Array(",\"message\":".utf8)
    private static let levelNames: [Logger.Level: [UInt8]] = Dictionary(
        uniqueKeysWithValues: Logger.Level.allCases.map { ($0, Array("\"\($0)\"".utf8)) }
    )
    /// The formatted date and time to the second, reused within that second.
    private static let secondCache = Mutex<(seconds: Int, text: [UInt8])>((-1, []))

    /// Appends the time now, UTC, ISO 8601 with milliseconds, without the closing quote's key.
    static func appendTimestamp(to line: inout [UInt8]) {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let seconds = Int(spec.tv_sec)
        let prefix = secondCache.withLock { cache -> [UInt8] in
            if cache.seconds != seconds {
                cache = (seconds, Array(timestamp(seconds: seconds, milliseconds: 0).dropLast(5).utf8))
            }
            return cache.text
        }
        line.append(contentsOf: prefix)
        let millis = Int(spec.tv_nsec / 1_000_000)
        line.append(contentsOf: [
            UInt8(ascii: "."), UInt8(48 + millis / 100), UInt8(48 + millis / 10 % 10), UInt8(48 + millis % 10), UInt8(ascii: "Z"),
        ])
    }

    /// UTC, ISO 8601 with milliseconds.
    static func timestamp(seconds: Int, milliseconds: Int) -> String {
        var seconds = time_t(seconds)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(milliseconds), 3))Z"
    }
}
