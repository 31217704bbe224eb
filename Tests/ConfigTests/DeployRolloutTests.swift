import Testing

@testable import Config

/// `deploy.exec`, `deploy.strategy` and `deploy.schedule`: what they read, and what they refuse
/// with file, line, column and key.
@Suite struct DeployRolloutTests {
    func deploy(_ yaml: String) throws -> DeploySettings {
        try #require(try ConfigLoader.parse(yaml, source: "v.yaml").deploy)
    }

    @Test func execIsOffAndTheStrategyRollingUnlessSaid() throws {
        let plain = try deploy("deploy: {}\n")
        #expect(plain.exec == false && plain.strategy.kind == .rolling && plain.schedule == nil)
        #expect(try deploy("deploy: {exec: true}\n").exec)
    }

    @Test func aStrategyByNameTakesItsDefaults() throws {
        let canary = try deploy("deploy: {load_balancer: true, strategy: canary}\n").strategy
        #expect((canary.kind, canary.percent, canary.stepBakeMinutes, canary.bakeMinutes) == (.canary, 10, 5, 10))
        let linear = try deploy("deploy: {load_balancer: true, strategy: {kind: linear, percent: 33.3, step_bake_min: 2, bake_min: 0}}\n").strategy
        #expect((linear.kind, linear.percent, linear.stepBakeMinutes, linear.bakeMinutes) == (.linear, 33.3, 2, 0))
        #expect(linear.minutesToComplete == 2 * 3)
    }

    @Test func refusesAStrategyThatCannotRun() throws {
        let cases: [(String, String)] = [
            (
                "deploy: {strategy: canary}\n",
                "v.yaml:1:20: deploy.strategy: a canary deployment moves the load balancer's traffic between old and new tasks: set deploy.load_balancer: true, or use kind `rolling`"
            ),
            (
                "deploy: {load_balancer: true, strategy: canery}\n",
                "v.yaml:1:41: deploy.strategy: expected one of `rolling`, `canary`, `linear`, found `canery`; did you mean `canary`?"
            ),
            (
                "deploy: {strategy: {kind: rolling, bake_min: 5}}\n",
                "v.yaml:1:46: deploy.strategy.bake_min: bake_min applies to kind `canary` or `linear`; a rolling deployment has no steps or bake time"
            ),
            (
                "deploy: {load_balancer: true, strategy: {kind: linear, percent: 2}}\n",
                "v.yaml:1:65: deploy.strategy.percent: expected a percentage from 3 to 100 in steps of 0.1, found `2`"
            ),
            (
                "deploy: {load_balancer: true, strategy: {kind: canary, percent: 0.05}}\n",
                "v.yaml:1:65: deploy.strategy.percent: expected a percentage from 0.1 to 100 in steps of 0.1, found `0.05`"
            ),
            (
                "deploy: {load_balancer: true, strategy: {kind: canary, bake_min: 2000}}\n",
                "v.yaml:1:66: deploy.strategy.bake_min: expected an integer (minutes) from 0 to 1440, found 2000"
            ),
        ]
        for (yaml, message) in cases {
            #expect(parseError(yaml)?.description == message, "\(yaml)")
        }
    }

    @Test func aScheduleReadsItsDaysHoursAndZone() throws {
        let schedule = try #require(try deploy("deploy: {schedule: {days: sat-sun, hours: 10-22, timezone: America/New_York}}\n").schedule)
        #expect(schedule.days == 5...6 && schedule.startHour == 10 && schedule.stopHour == 22 && schedule.timezone == "America/New_York")
        #expect(schedule.startCron == "cron(0 10 ? * SAT-SUN *)" && schedule.hoursOnPerWeek == 24)
        let everyDay = try #require(try deploy("deploy: {schedule: {hours: 0-1}}\n").schedule)
        #expect(everyDay.days == 0...6 && everyDay.timezone == "UTC" && everyDay.stopCron == "cron(0 1 ? * MON-SUN *)")
    }

    @Test func refusesAScheduleThatDoesNotSayWhen() throws {
        let cases: [(String, String)] = [
            (
                "deploy: {schedule: {days: mon-fri}}\n",
                "v.yaml:1:20: deploy.schedule.hours: say when the service runs: hours: 8-20 (from 08:00 to 20:00)"
            ),
            (
                "deploy: {schedule: {hours: 20-8}}\n",
                "v.yaml:1:28: deploy.schedule.hours: expected START-STOP in whole hours of one day, 0 ≤ START < STOP ≤ 23, such as 8-20, found `20-8`"
            ),
            (
                "deploy: {schedule: {days: fri-mon, hours: 8-20}}\n",
                "v.yaml:1:27: deploy.schedule.days: expected a day or a range of days such as mon-fri, sat-sun or wed, found `fri-mon`"
            ),
            (
                "deploy: {schedule: {hours: 8-20, timezone: berlin}}\n",
                "v.yaml:1:44: deploy.schedule.timezone: expected an IANA time zone such as UTC or Europe/Berlin, found `berlin`"
            ),
        ]
        for (yaml, message) in cases {
            #expect(parseError(yaml)?.description == message, "\(yaml)")
        }
    }
}
