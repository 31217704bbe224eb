import ArgumentParser
import Config
import Deploy

extension Variant {
    /// `tictactoe variant cost FILE`: the variant's stack's monthly cost by resource, at its floor
    /// and at its autoscaling ceiling, from ``PriceTable``. No AWS call.
    struct Cost: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print what a variant's stack costs a month, by resource, at its floor and at its ceiling.",
            discussion:
                "Prices are AWS's on-demand prices of one region and date (Sources/Deploy/PriceTable.swift); what depends on traffic is an assumption stated in each line."
        )

        @Argument(help: "The variant's YAML file, variants/NAME.yaml.") var file: String
        @Option(help: "The region the stack runs in; prices are the table's region's.") var region = PriceTable.region

        func validate() throws {
            guard file.hasSuffix(".yaml") else { throw ValidationError("the variant must be a .yaml file, not \(file)") }
            guard AWSNames.isRegion(region) else { throw ValidationError("--region must be an AWS region such as us-east-1, not \(region)") }
        }

        func run() throws {
            let settings = try loadOrExit(file)
            let variant = String(file.split(separator: "/").last?.dropLast(5) ?? "")
            let deploy = settings.deploy ?? DeploySettings()
            let cost = MonthlyCost(settings: settings, alarms: StackTemplate.alarmIDs(deploy).count)
            print(Self.report(variant: variant, cost: cost, region: region), terminator: "")
        }

        static func report(variant: String, cost: MonthlyCost, region: String) -> String {
            let hours = Int(PriceTable.hoursPerMonth)
            var out = "tictactoe-\(variant): monthly cost, prices of \(PriceTable.region) on \(PriceTable.date), \(hours) h a month\n"
            if region != PriceTable.region {
                out += "note: the stack runs in \(region); its prices differ from \(PriceTable.region)'s (often by 5–30%)\n"
            }
            let width = max(32, (cost.lines.map(\.resource.count).max() ?? 0) + 2)
            func row(_ name: String, _ floor: String, _ ceiling: String, _ basis: String) -> String {
                name + String(repeating: " ", count: max(0, width - name.count)) + floor.leftPadded(12) + ceiling.leftPadded(12) + "  " + basis + "\n"
            }
            out += row("resource", "floor", "ceiling", "basis")
            for line in cost.lines {
                out += row(line.resource, MonthlyCost.dollars(line.floorCents), MonthlyCost.dollars(line.ceilingCents), line.basis)
            }
            out += row("total", MonthlyCost.dollars(cost.floorCents), MonthlyCost.dollars(cost.ceilingCents), "")
            if let hours = cost.hoursOnPerWeek, let always = cost.unscheduledTaskCents {
                let range = { (figures: (floor: Int, ceiling: Int)) in
                    "\(MonthlyCost.dollars(figures.floor))–\(MonthlyCost.dollars(figures.ceiling))"
                }
                let saved = (floor: always.floor - cost.taskCents.floor, ceiling: always.ceiling - cost.taskCents.ceiling)
                out += "schedule: the tasks run \(hours) of 168 h a week, so they cost \(range(cost.taskCents)) "
                out += "instead of \(range(always)): \(range(saved)) saved a month\n"
            }
            return out
        }
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
