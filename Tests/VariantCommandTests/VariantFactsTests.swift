import Config
import Testing

@testable import VariantCommand

@Suite struct VariantFactsTests {
    @Test func memoryVariantIsBuiltWithoutPostgreSQL() throws {
        let settings = try ConfigLoader.parse(
            "server: {port: 5000}\nstate: {backend: memory}\ndeploy: {architectures: [amd64, arm64], run_on: arm64}\n",
            source: "perfect.yaml"
        )
        let facts = Variant.Facts.facts(of: settings)
        #expect(facts.map(\.0) == ["VARIANT_PORT", "VARIANT_ARCHITECTURES", "VARIANT_BACKEND", "SWIFT_TRAIT_FLAGS", "RDS_CA_BUNDLE"])
        #expect(facts.map(\.1) == ["5000", "'amd64 arm64'", "memory", "--disable-default-traits", ""])
    }

    @Test func postgresVariantKeepsTheDefaultTraits() throws {
        let settings = try ConfigLoader.parse(
            "server: {port: 8000}\nstate: {backend: postgres, url: \"postgres://u@db/x\"}\n",
            source: "shared.yaml"
        )
        let facts = Dictionary(uniqueKeysWithValues: Variant.Facts.facts(of: settings))
        #expect(facts["VARIANT_PORT"] == "8000")
        #expect(facts["VARIANT_BACKEND"] == "postgres")
        #expect(facts["SWIFT_TRAIT_FLAGS"] == "")
        #expect(facts["RDS_CA_BUNDLE"] == "/etc/ssl/certs/rds-ca-bundle.pem")
        // Without a deploy section a variant builds for amd64 only, as task definitions assume.
        #expect(facts["VARIANT_ARCHITECTURES"] == "'amd64'")
    }
}
