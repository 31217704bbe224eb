import Config
import Testing

/// The database as separate settings (libpq's PG* variables, `state.host`…) over a URL's parts.
@Suite struct PostgresSettingsTests {
    static let punctuation = #"p@ss:w/o?rd#%&'" null"#

    @Test func takesEveryPartFromLibpqsVariablesWithAPasswordOfAnyPunctuation() throws {
        let settings = try ConfigLoader.parse(
            "state: {backend: postgres}\n",
            source: "s.yaml",
            environment: [
                "PGHOST": "db.internal", "PGPORT": "6543", "PGDATABASE": "games", "PGUSER": "app", "PGPASSWORD": Self.punctuation,
                "PGSSLMODE": "verify-full", "PGSSLROOTCERT": "/etc/ssl/certs/rds-global-bundle.pem",
            ]
        )
        let postgres = try #require(settings.state.postgres)
        #expect(postgres.host == "db.internal")
        #expect(postgres.port == 6543)
        #expect(postgres.database == "games")
        #expect(postgres.user == "app")
        #expect(postgres.password == Self.punctuation)
        #expect(postgres.sslMode == .verifyFull)
        #expect(postgres.sslRootCert == "/etc/ssl/certs/rds-global-bundle.pem")
        #expect(
            postgres.sources == [
                "host": "PGHOST", "port": "PGPORT", "dbname": "PGDATABASE", "user": "PGUSER", "password": "PGPASSWORD",
                "sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT",
            ]
        )
    }

    @Test func separateSettingsReplaceTheURLsPartsAndTheEnvironmentTheFiles() throws {
        let settings = try ConfigLoader.parse(
            """
            state:
              backend: postgres
              url: postgres://u:pw@urlhost:5432/urldb?sslmode=require
              host: filehost
              port: 7000
            """,
            source: "s.yaml",
            environment: ["PGHOST": "envhost", "PGPASSWORD": "secret"]
        )
        let postgres = try #require(settings.state.postgres)
        #expect(postgres.host == "envhost")
        #expect(postgres.port == 7000)
        #expect(postgres.user == "u")
        #expect(postgres.database == "urldb")
        #expect(postgres.password == "secret")
        #expect(postgres.sslMode == .require)
        #expect(
            postgres.sources == [
                "host": "PGHOST", "port": "state.port", "user": "state.url", "dbname": "state.url", "password": "PGPASSWORD", "sslmode": "state.url",
            ]
        )
    }

    @Test func theDatabaseNameDefaultsToTheUsersAsInLibpq() throws {
        let postgres = try #require(
            try ConfigLoader.parse("state: {backend: postgres, host: db, user: game}\n", source: "s.yaml").state.postgres
        )
        #expect(postgres.database == "game")
        #expect(postgres.port == 5432)
        #expect(postgres.sslMode == .prefer)
        #expect(postgres.password == nil)
    }

    @Test func checkConfigShowsWhereEachPartCameFromWithThePasswordRedacted() throws {
        let settings = try ConfigLoader.parse(
            "state: {backend: postgres, url: 'postgres://u:urlpw@h/d'}\n",
            source: "s.yaml",
            environment: ["PGPASSWORD": Self.punctuation]
        )
        let summary = settings.summary
        #expect(summary.contains("  password: ***  # PGPASSWORD"))
        #expect(summary.contains("  host: h  # state.url"))
        #expect(summary.contains("  sslmode: prefer  # state.url"))
        #expect(!summary.contains(Self.punctuation))
        #expect(!summary.contains("urlpw"))
    }

    @Test func refusesAPasswordWrittenInTheFile() {
        #expect {
            try ConfigLoader.parse("state:\n  backend: postgres\n  host: db\n  password: hunter2\n", source: "s.yaml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "s.yaml:4:13: state.password: a password does not belong in a config file: set the PGPASSWORD environment variable (from a secret), or give DATABASE_URL"
        }
    }

    @Test func refusesACAFileWithoutVerifyFull() {
        #expect {
            try ConfigLoader.parse("state: {backend: postgres, host: db, sslmode: require, sslrootcert: /ca.pem}\n", source: "s.yaml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "s.yaml:1:69: state.sslrootcert: a CA file is used only with sslmode verify-full, but sslmode is `require` (state.sslmode)"
        }
    }

    @Test func refusesPartsOfADatabaseWithoutItsHost() {
        #expect {
            try ConfigLoader.parse("state: {backend: postgres}\n", source: "s.yaml", environment: ["PGUSER": "app"])
        } throws: { error in
            (error as? ConfigError)?.description
                == "environment variable PGUSER: state.user: PGUSER is given but no database host: set state.host or PGHOST, or give state.url or DATABASE_URL"
        }
    }

    @Test func refusesAnSSLModeItDoesNotKnowWithTheNearestName() {
        #expect {
            try ConfigLoader.parse("state: {backend: postgres, host: db}\n", source: "s.yaml", environment: ["PGSSLMODE": "verify_full"])
        } throws: { error in
            (error as? ConfigError)?.description
                == "environment variable PGSSLMODE: state.sslmode: expected one of `disable`, `prefer`, `require`, `verify-full`, found `verify_full`; did you mean `verify-full`?"
        }
    }
}
