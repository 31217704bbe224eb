import Testing

@testable import Config

@Suite struct ServerLimitsTests {
    @Test func parsesCIDRBlocksAndBareAddresses() throws {
        let v4 = try #require(CIDR("10.0.0.0/16"))
        #expect(v4.contains("10.0.255.7"))
        #expect(!v4.contains("10.1.0.1"))
        #expect(v4.description == "10.0.0.0/16")
        // Host bits are masked, so a block given by one of its addresses means the block.
        #expect(try #require(CIDR("192.168.7.9/24")).description == "192.168.7.0/24")
        let one = try #require(CIDR("203.0.113.5"))
        #expect(one.prefixLength == 32)
        #expect(one.contains("203.0.113.5") && !one.contains("203.0.113.6"))
        let v6 = try #require(CIDR("fd00::/8"))
        #expect(v6.contains("fd12:3456::1"))
        #expect(!v6.contains("fe80::1"))
        #expect(try #require(CIDR("::1")).description == "::1/128")
        // An IPv4 peer seen through an IPv6 socket is still the IPv4 address.
        #expect(v4.contains("::ffff:10.0.3.4"))
        #expect(try #require(CIDR("0.0.0.0/0")).contains("198.51.100.1"))
    }

    @Test func refusesWhatIsNotABlock() {
        for bad in [
            "", "10.0.0.0/33", "10.0.0/8", "10.0.0.256", "010.0.0.1", "10.0.0.1/", "10.0.0.1/-1", "fd00::/129",
            "1::2::3", "gggg::", "example.com", "10.0.0.0/8/8", "::ffff:1.2.3",
        ] {
            #expect(CIDR(bad) == nil, "\(bad)")
        }
    }

    @Test func readsTrustedProxiesStreamsAndTimeouts() throws {
        let settings = try ConfigLoader.parse(
            """
            server:
              trusted_proxies: [10.0.0.0/16, "fd00::/8"]
              idle_timeout_s: 30
              header_timeout_s: 4
              body_timeout_s: 7
              max_header_bytes: 8192
              max_connections: 500
              max_connections_per_client: 20
              streams: {per_client: 3, max: 200}
            """,
            source: "limits.yaml"
        )
        #expect(settings.server.trustedProxies.map(\.description) == ["10.0.0.0/16", "fd00::/8"])
        #expect(settings.server.idleTimeoutSeconds == 30)
        #expect(settings.server.headerTimeoutSeconds == 4)
        #expect(settings.server.bodyTimeoutSeconds == 7)
        #expect(settings.server.maxHeaderBytes == 8192)
        #expect(settings.server.maxConnections == 500)
        #expect(settings.server.maxConnectionsPerClient == 20)
        #expect(settings.server.streams == StreamLimits(perClient: 3, max: 200))
    }

    @Test func defaultsTrustNoProxyAndSizeCapsFromMemory() throws {
        let server = try ConfigLoader.parse("", source: "empty.yaml").server
        #expect(server.trustedProxies.isEmpty)
        #expect(server.maxConnections == nil)
        #expect(server.maxConnectionsPerClient == 64)
        #expect(server.streams.max == nil)
        #expect(server.streams.perClient == 8)
        #expect(server.idleTimeoutSeconds == 75)
        #expect(server.headerTimeoutSeconds == 10)
        #expect(server.bodyTimeoutSeconds == 5)
    }

    @Test func refusesABodyTimeoutOutOfRange() {
        #expect {
            try ConfigLoader.parse("server:\n  body_timeout_s: 0\n", source: "b.yaml")
        } throws: { error in
            (error as? ConfigError)?.description == "b.yaml:2:19: server.body_timeout_s: expected an integer (seconds) from 1 to 300, found 0"
        }
    }

    @Test func refusesABadTrustedProxyWithItsPosition() {
        #expect {
            try ConfigLoader.parse("server:\n  trusted_proxies: [10.0.0.0/8, 10.0.0.0/40]\n", source: "p.yaml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "p.yaml:2:33: server.trusted_proxies: expected an IP address or CIDR block such as 10.0.0.0/16 or fd00::/8, found `10.0.0.0/40`"
        }
        #expect {
            try ConfigLoader.parse("server:\n  streams: {per_clinet: 3}\n", source: "p.yaml")
        } throws: { error in
            (error as? ConfigError)?.description == "p.yaml:2:13: server.streams.per_clinet: unknown key `per_clinet`; did you mean `per_client`?"
        }
    }

    @Test func refusesAPerClientConnectionCapOfZero() {
        #expect {
            try ConfigLoader.parse("server:\n  max_connections_per_client: 0\n", source: "p.yaml")
        } throws: { error in
            (error as? ConfigError)?.description
                == "p.yaml:2:31: server.max_connections_per_client: expected an integer from 1 to 1000000, found 0"
        }
    }

    @Test func trustedProxiesComeFromTheEnvironmentAsACommaList() throws {
        let settings = try ConfigLoader.parse("", source: "e.yaml", environment: ["TRUSTED_PROXIES": "10.0.0.0/16, 10.1.0.0/16"])
        #expect(settings.server.trustedProxies.map(\.description) == ["10.0.0.0/16", "10.1.0.0/16"])
        #expect {
            try ConfigLoader.parse("", source: "e.yaml", environment: ["TRUSTED_PROXIES": "10.0.0.0/16,nope"])
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("environment variable TRUSTED_PROXIES") == true
        }
    }
}
