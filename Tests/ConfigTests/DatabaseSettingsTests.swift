import Testing

@testable import Config

/// `deploy.database`: the database the stack makes, checked with file, line and column.
@Suite struct DatabaseSettingsTests {
    func message(_ yaml: String) -> String? { parseError(yaml)?.description }

    static let postgres = "state: {backend: postgres}\ndeploy:\n  load_balancer: true\n"

    @Test func readsAnAuroraServerlessDatabaseThatPauses() throws {
        let settings = try ConfigLoader.parse(
            Self.postgres + "  database: {min_acu: 0, max_acu: 4.5, auto_pause_s: 600, deletion_protection: true}\n",
            source: "v.yaml"
        )
        let database = try #require(settings.deploy?.database)
        #expect(database.kind == .auroraServerless)
        #expect(database.engineVersion == 16)
        #expect(database.minACU == 0 && database.maxACU == 4.5)
        #expect(database.autoPauseSeconds == 600)
        #expect(database.deletionProtection)
        #expect(database.onDelete == .snapshot)
        #expect(database.parameterFamily == "aurora-postgresql16")
    }

    @Test func aDatabaseAtZeroACUPausesAfterFiveMinutesByDefault() throws {
        let database = try #require(try ConfigLoader.parse(Self.postgres + "  database: {}\n", source: "v.yaml").deploy?.database)
        #expect(database.minACU == 0 && database.autoPauseSeconds == 300)
    }

    @Test func readsAnInstance() throws {
        let settings = try ConfigLoader.parse(
            Self.postgres
                + "  database: {kind: instance, engine_version: 15, instance_class: db.t4g.small, storage_gb: 50, multi_az: true, on_delete: retain, backup_retention_days: 30, name: games}\n",
            source: "v.yaml"
        )
        let database = try #require(settings.deploy?.database)
        #expect(database.kind == .instance)
        #expect(database.parameterFamily == "postgres15")
        #expect(database.engineVersion == 15)
        #expect(database.instanceClass == "db.t4g.small" && database.storageGiB == 50 && database.multiAZ)
        #expect(database.onDelete == .retain && database.onDelete.policy == "Retain")
        #expect(database.backupRetentionDays == 30 && database.name == "games")
    }

    @Test func aDatabaseGivenByTheEnvironmentIsNoConflict() throws {
        // make run serves such a variant with a throwaway PostgreSQL given as PGHOST….
        let settings = try ConfigLoader.parse(Self.postgres + "  database: {}\n", source: "v.yaml", environment: ["PGHOST": "127.0.0.1"])
        #expect(settings.deploy?.database != nil && settings.state.postgres?.host == "127.0.0.1")
    }

    @Test(arguments: [
        (
            "state: {backend: memory}\ndeploy:\n  database: {}\n",
            "v.yaml:3:13: deploy.database: the stack makes a database only for state.backend `postgres`, and this variant keeps its games in `memory`: set state.backend: postgres, or remove deploy.database"
        ),
        (
            postgres + "  secrets: {DATABASE_URL: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf'}\n  database: {}\n",
            "v.yaml:5:13: deploy.database: deploy.secrets.DATABASE_URL names a database of your own and deploy.database makes one: keep one (remove deploy.secrets.DATABASE_URL, or deploy.database)"
        ),
        (
            "state: {backend: postgres, host: db.example.com}\ndeploy:\n  database: {}\n",
            "v.yaml:3:13: deploy.database: state.url or state.host names a database of your own and deploy.database makes one: keep one (the stack gives its tasks PGHOST… for its database)"
        ),
        (
            postgres + "  database: {engine_version: 12}\n",
            "v.yaml:4:30: deploy.database.engine_version: expected an integer (a PostgreSQL major version) from 13 to 17, found 12"
        ),
        (
            postgres + "  database: {min_acu: 1, auto_pause_s: 600}\n",
            "v.yaml:4:40: deploy.database.auto_pause_s: only a database with min_acu: 0 pauses; this one keeps 1 ACU"
        ),
        (
            postgres + "  database: {min_acu: 0.25}\n",
            "v.yaml:4:23: deploy.database.min_acu: expected a capacity from 0 to 256 ACU in steps of 0.5, found `0.25`"
        ),
        (
            postgres + "  database: {min_acu: 4, max_acu: 2}\n",
            "v.yaml:4:35: deploy.database.max_acu: max_acu (2) must be at least min_acu (4)"
        ),
        (
            postgres + "  database: {kind: instance, max_acu: 2}\n",
            "v.yaml:4:39: deploy.database.max_acu: max_acu is a setting of kind `aurora-serverless`, and this database is `instance`"
        ),
        (
            postgres + "  database: {kind: instance, instance_class: t4g.micro}\n",
            "v.yaml:4:46: deploy.database.instance_class: expected an RDS instance class such as db.t4g.micro or db.m7g.large, found `t4g.micro`"
        ),
        (
            postgres + "  database: {on_delete: delete}\n",
            "v.yaml:4:25: deploy.database.on_delete: expected one of `snapshot`, `retain`, found `delete`"
        ),
        (
            postgres + "  database: {kind: serverless}\n",
            "v.yaml:4:20: deploy.database.kind: expected one of `aurora-serverless`, `instance`, found `serverless`"
        ),
    ])
    func refusesWhatAWSDoesNotOfferOrWhatContradictsTheVariant(yaml: String, expected: String) {
        #expect(message(yaml) == expected)
    }
}
