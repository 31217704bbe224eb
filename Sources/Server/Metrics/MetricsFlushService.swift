import ServiceLifecycle

/// Writes the metrics every `interval`, and once more when the server stops, so that the last
/// figures of a task are not lost.
struct MetricsFlushService: Service {
    let factory: EMFMetricsFactory
    let interval: Duration

    func run() async {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                factory.flush()
            }
        }
        factory.flush()
    }
}
