import Atomics

/// What the simulated fleet did, printed every few seconds and at the end.
final class SimulationStatistics: Sendable {
    let published = ManagedAtomic<Int>(0)
    let failed = ManagedAtomic<Int>(0)
    let connected = ManagedAtomic<Int>(0)
    let flaps = ManagedAtomic<Int>(0)
    let connectFailures = ManagedAtomic<Int>(0)

    var line: String {
        "devices connected \(connected.load(ordering: .relaxed)), telemetry acknowledged \(published.load(ordering: .relaxed)), failed \(failed.load(ordering: .relaxed)), flaps \(flaps.load(ordering: .relaxed)), connect failures \(connectFailures.load(ordering: .relaxed))"
    }
}
