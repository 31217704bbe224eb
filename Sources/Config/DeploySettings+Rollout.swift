import YAML

extension DeploySettings {
    /// How a deployment replaces the running tasks: ECS's own strategies, with the alarms of
    /// `deploy.alarms` rolling back a deployment until its bake time is over.
    public struct Strategy: Hashable, Sendable {
        public enum Kind: String, Hashable, Sendable, CaseIterable {
            /// New tasks replace old ones within `MinimumHealthyPercent`/`MaximumPercent`.
            case rolling
            /// `percent` of the traffic goes to the new tasks for `stepBakeMinutes`, then all of it.
            case canary
            /// The traffic moves in steps of `percent`, each held for `stepBakeMinutes`.
            case linear

            /// ECS's `DeploymentConfiguration.Strategy`.
            public var ecsName: String { rawValue.uppercased() }
        }

        public var kind: Kind = .rolling
        /// Canary: the share of traffic the new tasks get first. Linear: the share each step adds.
        public var percent: Double = 0
        /// Minutes each canary or step is held before the next shift.
        public var stepBakeMinutes = 0
        /// Minutes after all traffic has moved during which an alarm still rolls the deployment
        /// back; the old tasks stop after it.
        public var bakeMinutes = 0

        public init() {}

        /// Minutes from the first shift of traffic to the end of the bake time, when no alarm fires.
        public var minutesToComplete: Int {
            switch kind {
            case .rolling: return 0
            case .canary: return stepBakeMinutes + bakeMinutes
            case .linear: return Int((100 / percent).rounded(.up) - 1) * stepBakeMinutes + bakeMinutes
            }
        }

        /// One line for people: `canary: 10% for 5 min, then all, bake 10 min`.
        public var summary: String {
            switch kind {
            case .rolling: return "rolling"
            case .canary: return "canary: \(percent.percentText)% for \(stepBakeMinutes) min, then all; bake \(bakeMinutes) min"
            case .linear: return "linear: \(percent.percentText)% every \(stepBakeMinutes) min; bake \(bakeMinutes) min"
            }
        }
    }

    /// Hours the service runs: outside them Application Auto Scaling sets its task count to zero.
    public struct Schedule: Hashable, Sendable {
        public static let dayNames = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        /// Days the service runs, as indices into ``dayNames`` (Monday is 0), a contiguous range.
        public var days: ClosedRange<Int>
        /// The hour it starts and the hour it stops, the same day (0–23, local to ``timezone``).
        public var startHour: Int
        public var stopHour: Int
        /// An IANA time zone name such as `Europe/Berlin`, or `UTC`.
        public var timezone: String

        /// Hours a week the service runs.
        public var hoursOnPerWeek: Int { days.count * (stopHour - startHour) }

        /// The cron expressions Application Auto Scaling takes: `cron(0 8 ? * MON-FRI *)`.
        public var startCron: String { cron(hour: startHour) }
        public var stopCron: String { cron(hour: stopHour) }

        private func cron(hour: Int) -> String {
            let first = Self.dayNames[days.lowerBound].uppercased()
            let last = Self.dayNames[days.upperBound].uppercased()
            return "cron(0 \(hour) ? * \(first == last ? first : "\(first)-\(last)") *)"
        }
    }

    static func decodeStrategy(_ parent: MappingReader, loadBalancer: Bool) throws(ConfigError) -> Strategy {
        var strategy = Strategy()
        guard let node = parent.node("strategy") else { return strategy }
        let allowed = ["kind", "percent", "step_bake_min", "bake_min"]
        let section: MappingReader
        if case .scalar(let text, _) = node.content {
            // `strategy: canary` is `strategy: {kind: canary}`.
            guard let kind = Strategy.Kind(rawValue: text) else {
                let names = Strategy.Kind.allCases.map(\.rawValue)
                let hint = nearestName(to: text, in: names).map { "; did you mean `\($0)`?" } ?? ""
                throw parent.invalid("strategy", "expected one of `rolling`, `canary`, `linear`, found `\(text)`\(hint)")
            }
            strategy.kind = kind
            section = MappingReader(nil, path: parent.keyPath("strategy"), parentMark: node.mark, allowed: allowed, problems: parent.problems)
        } else {
            section = try parent.section("strategy", allowed: allowed)
            strategy.kind = try section.choice("kind", default: strategy.kind)
        }
        if strategy.kind == .rolling {
            if let key = allowed.dropFirst().first(where: section.has) {
                throw section.invalid(key, "\(key) applies to kind `canary` or `linear`; a rolling deployment has no steps or bake time")
            }
            return strategy
        }
        guard loadBalancer else {
            throw parent.invalid(
                "strategy",
                "a \(strategy.kind.rawValue) deployment moves the load balancer's traffic between old and new tasks: set deploy.load_balancer: true, or use kind `rolling`"
            )
        }
        let range: ClosedRange<Double> = strategy.kind == .canary ? 0.1...100 : 3...100
        // ECS takes percentages in tenths.
        strategy.percent = try section.stepped(
            "percent",
            default: strategy.kind == .canary ? 10 : 25,
            in: range,
            stepsPerUnit: 10,
            expected: "a percentage from \(range.lowerBound.percentText) to \(range.upperBound.percentText) in steps of 0.1"
        )
        strategy.stepBakeMinutes = try section.int("step_bake_min", default: 5, in: 0...1440, unit: " (minutes)")
        strategy.bakeMinutes = try section.int("bake_min", default: 10, in: 0...1440, unit: " (minutes)")
        return strategy
    }

    static func decodeSchedule(_ parent: MappingReader) throws(ConfigError) -> Schedule? {
        guard parent.node("schedule") != nil else { return nil }
        let section = try parent.section("schedule", allowed: ["days", "hours", "timezone"])
        let daysText = try section.string("days", default: "mon-sun") ?? "mon-sun"
        guard let days = Self.dayRange(daysText) else {
            throw section.invalid("days", "expected a day or a range of days such as mon-fri, sat-sun or wed, found `\(daysText)`")
        }
        guard let hoursText = try section.string("hours", default: nil) else {
            throw ConfigError(
                .missing,
                at: section.mark,
                key: "deploy.schedule.hours",
                "say when the service runs: hours: 8-20 (from 08:00 to 20:00)"
            )
        }
        let bounds = hoursText.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
        guard bounds.count == 2, let start = bounds[0], let stop = bounds[1], (0...22).contains(start), (1...23).contains(stop), start < stop else {
            throw section.invalid(
                "hours",
                "expected START-STOP in whole hours of one day, 0 ≤ START < STOP ≤ 23, such as 8-20, found `\(hoursText)`"
            )
        }
        let timezone = try section.string("timezone", default: "UTC") ?? "UTC"
        guard AWSNames.isTimeZoneName(timezone) else {
            throw section.invalid("timezone", "expected an IANA time zone such as UTC or Europe/Berlin, found `\(timezone)`")
        }
        return Schedule(days: days, startHour: start, stopHour: stop, timezone: timezone)
    }

    /// `mon-fri` → 0...4, `sat` → 5...5; a range that wraps past Sunday is refused.
    private static func dayRange(_ text: String) -> ClosedRange<Int>? {
        let parts = text.lowercased().split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        let indices = parts.compactMap { Schedule.dayNames.firstIndex(of: $0) }
        guard indices.count == parts.count, (1...2).contains(indices.count), let first = indices.first, let last = indices.last, first <= last else {
            return nil
        }
        return first...last
    }
}

extension Double {
    /// A percentage as written in a variant: `10`, `2.5`.
    public var percentText: String { self == rounded() ? String(Int(self)) : String(self) }
}
