import Config
import Testing

@testable import Deploy

/// `tictactoe variant cost`: figures from the price table that add up, floor and ceiling.
@Suite struct MonthlyCostTests {
    func cost(_ yaml: String) throws -> MonthlyCost {
        MonthlyCost(settings: try ConfigLoader.parse(yaml, source: "variants/demo.yaml"), alarms: 0)
    }

    @Test func oneSmallTaskCostsItsFargateHoursAddressLogsDashboardAndImages() throws {
        let cost = try cost("deploy: {cpu: 256, memory: 512}\n")
        #expect(
            cost.lines.map(\.resource) == [
                "Fargate amd64 vCPU", "Fargate amd64 memory", "public IPv4 addresses", "CloudWatch Logs", "CloudWatch dashboard and alarms",
                "ECR images",
            ]
        )
        // 0.25 vCPU × $0.04048 × 730 h = $7.39; 0.5 GB × $0.004445 × 730 h = $1.62; one address $3.65.
        #expect(cost.lines.map(\.floorCents) == [739, 162, 365, 53, 300, 5])
        #expect(cost.floorCents == 739 + 162 + 365 + 53 + 300 + 5)
        #expect(cost.floorCents == cost.ceilingCents)
        #expect(MonthlyCost.dollars(123_456) == "$1,234.56" && MonthlyCost.dollars(5) == "$0.05")
    }

    @Test func autoscalingAndServerlessCapacitySpreadTheFloorFromTheCeiling() throws {
        let cost = try cost(
            """
            state: {backend: postgres}
            deploy: {run_on: arm64, architectures: [arm64], cpu: 512, memory: 1024, desired_count: 2, load_balancer: true,
              autoscaling: {min: 2, max: 6, cpu_percent: 60}, database: {kind: aurora-serverless, min_acu: 0, max_acu: 4}}
            """
        )
        let vcpu = try #require(cost.lines.first { $0.resource == "Fargate arm64 vCPU" })
        // 0.5 vCPU × $0.03238 × 730 h × 2 and × 6 tasks.
        #expect((vcpu.floorCents, vcpu.ceilingCents) == (2364, 7091))
        let database = try #require(cost.lines.first { $0.resource == "database (Aurora Serverless v2)" })
        // Paused at 0 ACU: its storage only; 4 ACU × $0.12 × 730 h at the ceiling.
        #expect((database.floorCents, database.ceilingCents) == (10, 35_050))
        #expect(cost.lines.contains { $0.resource == "load balancer" && $0.floorCents == 2227 })
        #expect(cost.ceilingCents == cost.lines.map(\.ceilingCents).reduce(0, +))
    }

    @Test func aScheduleCostsTheTasksOnlyForTheHoursTheyRun() throws {
        let always = try cost("deploy: {cpu: 1024, memory: 2048}\n")
        let office = try cost("deploy: {cpu: 1024, memory: 2048, schedule: {days: mon-fri, hours: 8-20}}\n")
        let tasks = { (cost: MonthlyCost) in cost.taskCents.floor }
        #expect(always.taskCents.floor == always.lines.prefix(3).map(\.floorCents).reduce(0, +))
        // 60 of 168 hours a week.
        #expect(abs(Double(tasks(office)) - Double(tasks(always)) * 60 / 168) <= 2)
        #expect(office.hoursOnPerWeek == 60)
        #expect(office.unscheduledTaskCents?.floor == tasks(always))
        // Everything else but the logs (written only while tasks run) is the same.
        let logs = { (cost: MonthlyCost) in cost.lines.first { $0.resource == "CloudWatch Logs" }?.floorCents ?? 0 }
        #expect(always.floorCents - office.floorCents == tasks(always) - tasks(office) + logs(always) - logs(office))
    }
}
