import ArgumentParser
import VariantCommand

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Plays one short game through a served tictactoe, as a person would, and says what it got:
/// what `make deploy`, `make run-local` and `make smoke-image` run after starting a service.
struct Smoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play one short game through a served tictactoe and say what it got.",
        discussion: """
            Checks /healthz and /readyz, creates a two-player game (or the variant's default game \
            when it offers none), plays it to its end and reads it back. Exit 0 with one line of \
            what was played; exit 1 with the step that failed and the answer it got (status and \
            body). Every request times out after 10 s; no redirect is followed.
            """
    )

    @Argument(help: "The address to play at, http://… or https://… (what make url prints).") var url: String
    @Option(help: "Seconds the service may take to answer /healthz at first (a load balancer registers new tasks within a minute or two).")
    var wait: Int = 120
    @Option(
        name: .customLong("resolve"),
        help: "HOST:PORT:ADDRESS: connect to ADDRESS for HOST:PORT, keeping HOST for TLS and the Host header (as curl's --resolve)."
    )
    var resolves: [String] = []
    @Option(help: "Trust the certificate authorities in this PEM file instead of the system's.") var cacert: String?

    func validate() throws {
        guard let parsed = SmokeURL(url) else {
            throw ValidationError("URL must be http://… or https://… with a port from 1 to 65535, e.g. what make url prints; not \(url)")
        }
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be from 0 to 3600 seconds, not \(wait)") }
        for entry in resolves where Self.pinned(entry) == nil {
            throw ValidationError("--resolve takes HOST:PORT:ADDRESS, not \(entry)")
        }
        if let cacert, !FileManager.default.isReadableFile(atPath: cacert) {
            throw ValidationError("--cacert \(cacert): no readable file there")
        }
        if cacert != nil, !parsed.isHTTPS { throw ValidationError("--cacert applies to https:// URLs only") }
    }

    func run() async throws {
        guard let target = SmokeURL(url) else { throw ExitCode(2) }
        let address = resolves.compactMap(Self.pinned).first { $0.host == target.host && $0.port == target.port }?.address
        let client: OneShotHTTPClient
        do {
            client = try OneShotHTTPClient(url: target, address: address, caFile: cacert)
        } catch {
            printError("smoke: FAILED at \(target): \(error.description)")
            throw ExitCode(1)
        }
        let clock = ContinuousClock()
        let started = clock.now
        do {
            let played = try await SmokeGame(client: client).play(waitingUpTo: .seconds(wait))
            let seconds = (clock.now - started).components
            let tenths = seconds.seconds * 10 + seconds.attoseconds / 100_000_000_000_000_000
            print("smoke: played \(played) at \(target) in \(tenths / 10).\(tenths % 10) s")
        } catch {
            printError("smoke: FAILED at \(target): \(error.description)")
            throw ExitCode(1)
        }
    }

    /// `HOST:PORT:ADDRESS`, split; `nil` when a part is missing or the port is not one.
    static func pinned(_ entry: String) -> (host: String, port: Int, address: String)? {
        let parts = entry.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[2].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else {
            return nil
        }
        return (String(parts[0]), port, String(parts[2]))
    }
}
