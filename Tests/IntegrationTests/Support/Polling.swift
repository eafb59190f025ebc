/// Re-checks `condition` every `interval` until it holds or `timeout` passes, and returns whether
/// it held: the one place integration tests wait for something they cannot be told about.
func pollUntil(
    timeout: Duration = .seconds(10),
    interval: Duration = .milliseconds(20),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: interval)
    }
    return try await condition()
}
