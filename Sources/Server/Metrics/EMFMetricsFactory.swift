public import CoreMetrics
import JSONText
import Locking

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-metrics backend that writes CloudWatch's embedded metric format (EMF): every
/// ``flush()``, one JSON line per metric and set of dimensions, which CloudWatch Logs turns into
/// metrics as it ingests the log stream, so a Fargate task needs no agent or sidecar.
///
/// Counters report what they counted since the last flush (lines only when non-zero); recorders
/// that do not aggregate (gauges, meters) their last value; aggregating recorders and timers up to
/// ``maximumSamples`` values per flush (timers in milliseconds), from which CloudWatch computes
/// percentiles. Recording is a lock and an addition: nothing is written on the request's path.
public final class EMFMetricsFactory: MetricsFactory, Sendable {
    public static let maximumSamples = 100

    let namespace: String
    private let output: BufferedLogOutput
    private let handlers = Mutex<[String: EMFHandler]>([:])
    private let clock: @Sendable () -> Int64

    public init(
        namespace: String,
        output: BufferedLogOutput = .standardOutput,
        millisecondsSinceEpoch: @escaping @Sendable () -> Int64 = EMFMetricsFactory.now
    ) {
        self.namespace = namespace
        self.output = output
        clock = millisecondsSinceEpoch
    }

    public static let now: @Sendable () -> Int64 = {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec / 1_000_000)
    }

    private func handler(_ kind: EMFHandler.Kind, _ label: String, _ dimensions: [(String, String)]) -> EMFHandler {
        let key = "\(kind)|\(label)|" + dimensions.map { "\($0.0)=\($0.1)" }.joined(separator: ",")
        return handlers.withLock { handlers in
            if let existing = handlers[key] { return existing }
            let made = EMFHandler(kind: kind, label: label, dimensions: dimensions)
            handlers[key] = made
            return made
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handler(.counter, label, dimensions)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        handler(aggregate ? .samples : .gauge, label, dimensions)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handler(.timer, label, dimensions)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        handler(.gauge, label, dimensions)
    }

    public func destroyMeter(_ handler: any MeterHandler) {}

    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}

    /// Writes what was recorded since the last flush; returns the lines written, for tests.
    @discardableResult
    public func flush() -> [String] {
        let timestamp = clock()
        var lines: [String] = []
        for handler in handlers.withLock({ Array($0.values) }) {
            guard let values = handler.take() else { continue }
            lines.append(line(handler, values, timestamp: timestamp))
        }
        for line in lines { output.append(Array((line + "\n").utf8)) }
        return lines
    }

    private func line(_ handler: EMFHandler, _ values: EMFHandler.Values, timestamp: Int64) -> String {
        let names = handler.dimensions.map(\.0)
        let unit: String
        let value: String
        switch values {
        case .count(let count):
            unit = "Count"
            value = String(count)
        case .gauge(let last):
            unit = "None"
            value = Self.number(last)
        case .samples(let samples):
            unit = handler.kind == .timer ? "Milliseconds" : "None"
            value = "[" + samples.map(Self.number).joined(separator: ",") + "]"
        }
        var text = "{\"_aws\":{\"Timestamp\":\(timestamp),\"CloudWatchMetrics\":[{\"Namespace\":\(jsonQuoted(namespace)),"
        text += "\"Dimensions\":[[" + names.map(jsonQuoted).joined(separator: ",") + "]],"
        text += "\"Metrics\":[{\"Name\":\(jsonQuoted(handler.label)),\"Unit\":\"\(unit)\"}]}]}"
        for (name, dimension) in handler.dimensions {
            text += ",\(jsonQuoted(name)):\(jsonQuoted(dimension))"
        }
        text += ",\(jsonQuoted(handler.label)):\(value)}"
        return text
    }

    private static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}

/// One metric with one set of dimensions: what it recorded since the last flush.
final class EMFHandler: CounterHandler, RecorderHandler, TimerHandler, MeterHandler, Sendable {
    enum Kind: Sendable { case counter, gauge, samples, timer }

    enum Values {
        case count(Int64)
        case gauge(Double)
        case samples([Double])
    }

    private struct State {
        var count: Int64 = 0
        var last: Double?
        var samples: [Double] = []
        var seen = 0
    }

    let kind: Kind
    let label: String
    let dimensions: [(String, String)]
    private let state = Mutex(State())

    init(kind: Kind, label: String, dimensions: [(String, String)]) {
        self.kind = kind
        self.label = label
        self.dimensions = dimensions
    }

    func increment(by amount: Int64) {
        state.withLock { $0.count += amount }
    }

    func reset() {
        state.withLock { $0 = State() }
    }

    func record(_ value: Int64) {
        record(Double(value))
    }

    func record(_ value: Double) {
        state.withLock { s in
            if kind == .gauge {
                s.last = value
                return
            }
            // Keeps a uniform sample of at most maximumSamples values (reservoir sampling).
            s.seen += 1
            if s.samples.count < EMFMetricsFactory.maximumSamples {
                s.samples.append(value)
            } else {
                let slot = Int.random(in: 0..<s.seen)
                if slot < s.samples.count { s.samples[slot] = value }
            }
        }
    }

    func set(_ value: Int64) {
        record(Double(value))
    }

    func set(_ value: Double) {
        record(value)
    }

    func increment(by amount: Double) {
        state.withLock { $0.last = ($0.last ?? 0) + amount }
    }

    func decrement(by amount: Double) {
        state.withLock { $0.last = ($0.last ?? 0) - amount }
    }

    func recordNanoseconds(_ duration: Int64) {
        record(Double(duration) / 1_000_000)
    }

    /// What to write now, clearing what is reported per interval; `nil` when there is nothing.
    func take() -> Values? {
        state.withLock { s in
            switch kind {
            case .counter:
                guard s.count != 0 else { return nil }
                defer { s.count = 0 }
                return .count(s.count)
            case .gauge:
                return s.last.map(Values.gauge)
            case .samples, .timer:
                guard !s.samples.isEmpty else { return nil }
                defer {
                    s.samples.removeAll(keepingCapacity: true)
                    s.seen = 0
                }
                return .samples(s.samples)
            }
        }
    }
}
