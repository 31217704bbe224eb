import ArgumentParser
import Config
import VariantCommand

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

struct Healthcheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Exit 0 when the local server answers GET /healthz with 200, else 1.",
        discussion: "For container health checks in images without curl. The port comes from --port, else $PORT, else the config."
    )

    @OptionGroup var config: ConfigOption
    @Option(help: "The port to ask (default: from $PORT or the config).") var port: Int?
    @Option(help: "Seconds to wait for an answer.") var timeout: Int = 3

    func validate() throws {
        if let port, !(1...65535).contains(port) { throw ValidationError("--port must be from 1 to 65535, not \(port)") }
        guard (1...60).contains(timeout) else { throw ValidationError("--timeout must be from 1 to 60 seconds, not \(timeout)") }
    }

    func run() throws {
        let loaded = Result { try config.load() }
        let target: Int
        switch (port, loaded) {
        case (let port?, _): target = port
        case (nil, .success(let settings)): target = settings.server.port
        case (nil, .failure(let error)):
            printError("unhealthy: \(error)")
            throw ExitCode(1)
        }
        let address = Self.probeAddress(serverHost: (try? loaded.get())?.server.host)
        let shown = "\(IPAddressBytes.format(address)):\(target)"
        switch Self.probe(address: address, port: target, timeoutSeconds: timeout) {
        case .success:
            print("healthy: \(shown) answered /healthz")
        case .failure(let reason):
            printError("unhealthy: \(shown): \(reason.message)")
            throw ExitCode(1)
        }
    }

    /// The IPv4 address the server listens on when `server.host` names one (a task given its own
    /// loopback address, say), else 127.0.0.1, which every wildcard listener answers on.
    static func probeAddress(serverHost: String?) -> [UInt8] {
        let loopback: [UInt8] = [127, 0, 0, 1]
        guard let host = serverHost, let bytes = IPAddressBytes.parse(host), bytes.count == 4, bytes != [0, 0, 0, 0] else {
            return loopback
        }
        return bytes
    }

    struct Failure: Error { var message: String }

    /// One blocking HTTP/1.1 request to the IPv4 `address`; the smallest client that does the job.
    static func probe(address ipv4: [UInt8] = [127, 0, 0, 1], port: Int, timeoutSeconds: Int) -> Result<Void, Failure> {
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { return .failure(Failure(message: "cannot open a socket")) }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(ipv4.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }.bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return .failure(Failure(message: "connection refused or timed out")) }
        let request = Array("GET /healthz HTTP/1.1\r\nHost: \(IPAddressBytes.format(ipv4))\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, 0) == request.count else { return .failure(Failure(message: "could not send the request")) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let received = recv(fd, &buffer, buffer.count, 0)
        guard received > 12 else { return .failure(Failure(message: "no answer within \(timeoutSeconds) s")) }
        let statusLine = String(decoding: buffer[0..<received], as: UTF8.self).prefix { $0 != "\r" }
        guard statusLine.hasPrefix("HTTP/1.1 200") || statusLine.hasPrefix("HTTP/1.0 200") else {
            return .failure(Failure(message: "answered \(statusLine)"))
        }
        return .success(())
    }
}
