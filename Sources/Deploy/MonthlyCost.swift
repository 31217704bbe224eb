public import Config

/// What a variant's stack costs a month at its floor (the fewest tasks, the smallest database) and
/// at its autoscaling ceiling, resource by resource, from ``PriceTable``. Each line is rounded to
/// the cent, and the totals are the sums of the lines, so the figures add up as printed.
public struct MonthlyCost: Sendable {
    public struct Line: Sendable, Equatable {
        public var resource: String
        /// How the figure was reached, for the reader: `0.5 vCPU × 2…6 task(s) × 730 h`.
        public var basis: String
        public var floorCents: Int
        public var ceilingCents: Int
    }

    public let lines: [Line]
    /// What the tasks themselves cost (their vCPU, memory and addresses), floor and ceiling, in cents;
    /// and with `deploy.schedule`, what they would cost if they ran all month.
    public let taskCents: (floor: Int, ceiling: Int)
    public let unscheduledTaskCents: (floor: Int, ceiling: Int)?
    public let hoursOnPerWeek: Int?

    public var floorCents: Int { lines.map(\.floorCents).reduce(0, +) }
    public var ceilingCents: Int { lines.map(\.ceilingCents).reduce(0, +) }

    /// - Parameter alarms: how many CloudWatch alarms the stack has.
    public init(settings: Settings, alarms: Int) {
        let deploy = settings.deploy ?? DeploySettings()
        let tasks = Tasks(deploy)
        let scheduled = tasks.lines(hours: tasks.hoursRunning)
        var lines = scheduled
        lines[2] = Self.addressLine(tasks: scheduled[2], loadBalancer: deploy.loadBalancer)
        if deploy.loadBalancer { lines.insert(Self.loadBalancerLine, at: 2) }
        if let database = deploy.database { lines += Self.databaseLines(database) }
        lines += Self.operationsLines(deploy, tasks: tasks, alarms: alarms)
        self.lines = lines
        taskCents = (scheduled.map(\.floorCents).reduce(0, +), scheduled.map(\.ceilingCents).reduce(0, +))
        if let schedule = deploy.schedule {
            let allMonth = tasks.lines(hours: PriceTable.hoursPerMonth)
            unscheduledTaskCents = (allMonth.map(\.floorCents).reduce(0, +), allMonth.map(\.ceilingCents).reduce(0, +))
            hoursOnPerWeek = schedule.hoursOnPerWeek
        } else {
            unscheduledTaskCents = nil
            hoursOnPerWeek = nil
        }
    }

    /// The service's tasks: how many at the floor and the ceiling, their size and the hours they run.
    private struct Tasks {
        let floor: Int
        let ceiling: Int
        let deploy: DeploySettings
        /// Hours a month the tasks run: all of them, or the schedule's share.
        let hoursRunning: Double

        init(_ deploy: DeploySettings) {
            self.deploy = deploy
            floor = deploy.autoscaling?.min ?? deploy.desiredCount
            ceiling = deploy.autoscaling?.max ?? deploy.desiredCount
            hoursRunning = PriceTable.hoursPerMonth * (deploy.schedule.map { Double($0.hoursOnPerWeek) / 168 } ?? 1)
        }

        var count: String { floor == ceiling ? "\(floor)" : "\(floor)…\(ceiling)" }

        /// `rate` (dollars a task-hour) over `hours`, at the floor and the ceiling.
        func line(_ resource: String, basis: String, rate: Double, hours: Double) -> Line {
            Line(
                resource: resource,
                basis: basis,
                floorCents: cents(rate * Double(floor) * hours),
                ceilingCents: cents(rate * Double(ceiling) * hours)
            )
        }

        /// vCPU, memory and each task's public address, over `hours` a month.
        func lines(hours: Double) -> [Line] {
            let architecture: PriceTable.FargateArchitecture = deploy.runOn == .arm64 ? .arm64 : .amd64
            let vcpu = Double(deploy.cpu) / 1024
            let gb = Double(deploy.memory) / 1024
            let time = deploy.schedule == nil ? "\(figure(hours)) h" : "\(figure(hours)) h (schedule)"
            return [
                line(
                    "Fargate \(deploy.runOn.rawValue) vCPU",
                    basis: "\(figure(vcpu)) vCPU × \(count) task(s) × \(time)",
                    rate: vcpu * PriceTable.fargateVCPUHour(architecture),
                    hours: hours
                ),
                line(
                    "Fargate \(deploy.runOn.rawValue) memory",
                    basis: "\(figure(gb)) GB × \(count) task(s) × \(time)",
                    rate: gb * PriceTable.fargateGBHour(architecture),
                    hours: hours
                ),
                line("public IPv4 addresses", basis: "1 per task", rate: PriceTable.publicIPv4Hour, hours: hours),
            ]
        }
    }

    /// The tasks' addresses, and the load balancer's (one a zone, all month).
    private static func addressLine(tasks: Line, loadBalancer: Bool) -> Line {
        guard loadBalancer else { return tasks }
        let zones = cents(PriceTable.publicIPv4Hour * Double(PriceTable.assumedLoadBalancerZones) * PriceTable.hoursPerMonth)
        return Line(
            resource: tasks.resource,
            basis: tasks.basis + " + \(PriceTable.assumedLoadBalancerZones) for the load balancer",
            floorCents: tasks.floorCents + zones,
            ceilingCents: tasks.ceilingCents + zones
        )
    }

    private static var loadBalancerLine: Line {
        let figure = cents((PriceTable.loadBalancerHour + PriceTable.loadBalancerLCUHour * PriceTable.assumedLCUs) * PriceTable.hoursPerMonth)
        return Line(
            resource: "load balancer",
            basis: "\(Self.figure(PriceTable.hoursPerMonth)) h + \(Self.figure(PriceTable.assumedLCUs)) LCU (assumed)",
            floorCents: figure,
            ceilingCents: figure
        )
    }

    /// The database and its secret: Aurora from `min_acu` to `max_acu`, an instance the same at both ends.
    private static func databaseLines(_ database: DatabaseSettings) -> [Line] {
        let hours = PriceTable.hoursPerMonth
        let secret = cents(PriceTable.secretMonth)
        let secretLine = Line(resource: "database secret", basis: "1 Secrets Manager secret", floorCents: secret, ceilingCents: secret)
        switch database.kind {
        case .auroraServerless:
            let storage = PriceTable.auroraStorageGBMonth * PriceTable.assumedDatabaseGB
            let paused = database.minACU == 0 ? ", paused when idle" : ""
            let database = Line(
                resource: "database (Aurora Serverless v2)",
                basis:
                    "\(database.minACU.acuFigure)…\(database.maxACU.acuFigure) ACU × \(figure(hours)) h\(paused) + \(figure(PriceTable.assumedDatabaseGB)) GB",
                floorCents: cents(database.minACU * PriceTable.auroraACUHour * hours + storage),
                ceilingCents: cents(database.maxACU * PriceTable.auroraACUHour * hours + storage)
            )
            return [database, secretLine]
        case .instance:
            let standby = database.multiAZ ? 2.0 : 1.0
            let storage = PriceTable.rdsStorageGBMonth * Double(database.storageGiB) * standby
            let name = "database (RDS \(database.instanceClass)\(database.multiAZ ? ", Multi-AZ" : ""))"
            guard let rate = PriceTable.rdsInstanceHour[database.instanceClass] else {
                let basis = "\(database.storageGiB) GB storage; the instance class is not in the price table, so its hours are not counted"
                return [Line(resource: name, basis: basis, floorCents: cents(storage), ceilingCents: cents(storage)), secretLine]
            }
            let figure = cents(rate * standby * hours + storage)
            return [
                Line(resource: name, basis: "\(Self.figure(hours)) h + \(database.storageGiB) GB", floorCents: figure, ceilingCents: figure),
                secretLine,
            ]
        }
    }

    /// Logs (per task, while tasks run), the dashboard and alarms, and the images kept in ECR.
    private static func operationsLines(_ deploy: DeploySettings, tasks: Tasks, alarms: Int) -> [Line] {
        let logs = tasks.line(
            "CloudWatch Logs",
            basis: "\(figure(PriceTable.assumedLogGBPerTaskMonth)) GB a task-month (assumed)",
            rate: PriceTable.assumedLogGBPerTaskMonth * (PriceTable.logIngestionGB + PriceTable.logStorageGBMonth) / PriceTable.hoursPerMonth,
            hours: tasks.hoursRunning
        )
        let watch = cents(PriceTable.dashboardMonth + PriceTable.alarmMonth * Double(alarms))
        let images = deploy.architectures.count * PriceTable.assumedReleasesKept
        let ecr = cents(Double(images) * PriceTable.assumedImageGB * PriceTable.ecrGBMonth)
        return [
            logs,
            Line(resource: "CloudWatch dashboard and alarms", basis: "1 dashboard, \(alarms) alarms", floorCents: watch, ceilingCents: watch),
            Line(
                resource: "ECR images",
                basis: "\(images) images × \(figure(PriceTable.assumedImageGB)) GB (assumed)",
                floorCents: ecr,
                ceilingCents: ecr
            ),
        ]
    }

    /// `0.25`, `2`, `260.71`: at most two decimals, none when whole.
    static func figure(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        var text = String(hundredths / 100)
        if hundredths % 100 != 0 {
            text += "." + (hundredths % 100 < 10 ? "0" : "") + String(hundredths % 100)
            while text.hasSuffix("0") { text.removeLast() }
        }
        return text
    }

    /// `$1,234.56`.
    public static func dollars(_ cents: Int) -> String {
        let whole = String(cents / 100)
        var grouped = ""
        for (i, digit) in whole.reversed().enumerated() {
            if i > 0, i % 3 == 0 { grouped.append(",") }
            grouped.append(digit)
        }
        let rest = cents % 100
        return "$" + String(grouped.reversed()) + "." + (rest < 10 ? "0" : "") + String(rest)
    }
}

/// Dollars to whole cents, half a cent up.
private func cents(_ dollars: Double) -> Int { Int((dollars * 100).rounded()) }

private func figure(_ value: Double) -> String { MonthlyCost.figure(value) }

extension Double {
    fileprivate var acuFigure: String { self == rounded() ? String(Int(self)) : String(self) }
}
