import ArgumentParser
import Config

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Prints `message` and a newline to standard error, unbuffered.
public func printError(_ message: String) {
    var stream = StandardError()
    print(message, to: &stream)
}

/// Prints every mistake of a config file to standard error, one `error:` line each, in file order.
public func printConfigError(_ error: ConfigError) {
    for mistake in error.all { printError("error: \(mistake)") }
}

/// `body`'s result; when it throws, the error printed as `error: <prefix><error>` and exit status 1.
public func orExit<T>(_ prefix: String = "", _ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError("error: \(prefix)\(error)")
        throw ExitCode(1)
    }
}

/// Standard error as a `TextOutputStream`: each `write` is one `write(2)` call.
public struct StandardError: TextOutputStream {
    public init() {}

    public mutating func write(_ string: String) {
        var string = string
        string.withUTF8 { bytes in
            #if canImport(Glibc)
            _ = Glibc.write(2, bytes.baseAddress, bytes.count)
            #elseif canImport(Musl)
            _ = Musl.write(2, bytes.baseAddress, bytes.count)
            #elseif canImport(Darwin)
            _ = Darwin.write(2, bytes.baseAddress, bytes.count)
            #endif
        }
    }
}
