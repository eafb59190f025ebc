import Atomics
import Dispatch
import Foundation
import GRDB
import Logging
import NIOConcurrencyHelpers

/// The embedded store: a SQLite database in WAL mode under the data directory, written by one
/// thread with group commit.
///
/// Callers on any thread `submit` operations and get a ticket; the writer takes everything
/// submitted so far and commits it in one transaction, so the cost of a commit (and its fsync)
/// is shared by every message that arrived meanwhile. Whoever owes a client an acknowledgement
/// waits for its ticket (`whenCommitted`) before sending it.
public final class DurableStore: Sendable {
    /// What a commit promises about the disk.
    public enum Synchronization: Sendable, Hashable {
        /// fsync on every commit: survives a crash of the machine (`PRAGMA synchronous = FULL`).
        case fsync
        /// Written to the operating system on every commit, no fsync: survives `kill -9` of the
        /// broker, not a power cut (`PRAGMA synchronous = NORMAL` in WAL mode).
        case process
    }

    /// Counters for `$SYS` and metrics.
    public struct Statistics: Sendable {
        public var commits: Int
        public var operations: Int
        public var failures: Int
    }

    public let path: String
    let database: DatabaseQueue
    private let logger: Logger
    private let writerQueue = DispatchQueue(label: "tributary.store.writer")
    private let state = NIOLockedValueBox(WriterState())
    private let committed = ManagedAtomic<UInt64>(0)
    private let nextDeliveryID = ManagedAtomic<Int64>(1)
    private let counters = NIOLockedValueBox(Statistics(commits: 0, operations: 0, failures: 0))

    private struct WriterState {
        var pending: [StoreOperation] = []
        var lastSubmitted: UInt64 = 0
        var flushScheduled = false
        var failure: StoreError?
        var waiters: [(ticket: UInt64, callback: @Sendable (Result<Void, StoreError>) -> Void)] = []
    }

    /// Opens (creating if needed) `directory/tributary.sqlite`.
    ///
    /// The database is locked exclusively for the life of this object, so a second broker on the
    /// same directory fails here with `.inUse` instead of corrupting the first one's state.
    public init(directory: String, synchronization: Synchronization, logger: Logger) throws(StoreError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.openFailed, "cannot create data directory \(directory): \(error)")
        }
        path = (directory as NSString).appendingPathComponent("tributary.sqlite")
        self.logger = logger
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .immediateError
        configuration.label = "tributary.store"
        let synchronous = synchronization == .fsync ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
        }
        do {
            database = try DatabaseQueue(path: path, configuration: configuration)
            // A write takes the exclusive lock now rather than at the first message.
            try StoreSchema.migrator().migrate(database)
            try database.inTransaction(.exclusive) { _ in .commit }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
        {
            throw StoreError(.inUse, "data directory \(directory) is in use by another process")
        } catch {
            throw StoreError(.openFailed, "cannot open the store at \(path): \(error)")
        }
    }

    /// Reads everything back; call once, before the broker accepts connections.
    public func recover() throws(StoreError) -> RecoveredState {
        do {
            let (state, maximumID) = try database.read { try StoreReader.read($0) }
            nextDeliveryID.store(maximumID + 1, ordering: .relaxed)
            return state
        } catch {
            throw StoreError(.openFailed, "cannot read the store at \(path): \(error)")
        }
    }

    /// A new `Delivery.storageID`; increasing, so it orders deliveries across restarts.
    public func makeDeliveryID() -> Int64 {
        nextDeliveryID.loadThenWrappingIncrement(ordering: .relaxed)
    }

    // MARK: Writing

    /// Queues operations for the next commit and returns the ticket that commit reaches.
    @discardableResult
    public func submit(_ operations: [StoreOperation]) -> StoreTicket {
        guard !operations.isEmpty else { return .none }
        let (ticket, schedule): (UInt64, Bool) = state.withLockedValue { state in
            state.pending.append(contentsOf: operations)
            state.lastSubmitted += 1
            let schedule = !state.flushScheduled
            state.flushScheduled = true
            return (state.lastSubmitted, schedule)
        }
        if schedule {
            writerQueue.async { self.flush() }
        }
        return StoreTicket(ticket)
    }

    @discardableResult
    public func submit(_ operation: StoreOperation) -> StoreTicket {
        submit([operation])
    }

    /// The latest ticket on disk.
    public var committedTicket: StoreTicket { StoreTicket(committed.load(ordering: .acquiring)) }

    /// Calls `callback` (on the writer's thread, or at once) when `ticket` is committed, or with
    /// the failure that stops it from ever being.
    public func whenCommitted(_ ticket: StoreTicket, _ callback: @escaping @Sendable (Result<Void, StoreError>) -> Void)
    {
        let immediate: Result<Void, StoreError>? = state.withLockedValue { state in
            if let failure = state.failure { return .failure(failure) }
            if committed.load(ordering: .acquiring) >= ticket.rawValue { return .success(()) }
            state.waiters.append((ticket.rawValue, callback))
            return nil
        }
        if let immediate { callback(immediate) }
    }

    /// Waits until `ticket` is committed, or for the failure that stops it from ever being.
    public func committed(_ ticket: StoreTicket) async -> Result<Void, StoreError> {
        await withCheckedContinuation { continuation in
            whenCommitted(ticket) { continuation.resume(returning: $0) }
        }
    }

    public var statistics: Statistics { counters.withLockedValue { $0 } }

    /// Commits what is pending and stops accepting work.
    public func close() {
        writerQueue.sync {}
        state.withLockedValue { state in
            if state.failure == nil { state.failure = StoreError(.closed, "the store is closed") }
        }
        try? database.close()
    }

    private func flush() {
        while true {
            let (operations, ticket): ([StoreOperation], UInt64) = state.withLockedValue { state in
                let batch = state.pending
                state.pending.removeAll(keepingCapacity: true)
                if batch.isEmpty { state.flushScheduled = false }
                return (batch, state.lastSubmitted)
            }
            guard !operations.isEmpty else { return }
            if state.withLockedValue({ $0.failure }) != nil {
                continue  // a failed or closed store drops work; its waiters were told
            }
            let result = commit(operations)
            let ready: [@Sendable (Result<Void, StoreError>) -> Void] = state.withLockedValue { state in
                switch result {
                case .success:
                    committed.store(ticket, ordering: .releasing)
                    let done = state.waiters.filter { $0.ticket <= ticket }.map(\.callback)
                    state.waiters.removeAll { $0.ticket <= ticket }
                    return done
                case .failure(let error):
                    state.failure = error
                    defer { state.waiters.removeAll() }
                    return state.waiters.map(\.callback)
                }
            }
            for callback in ready { callback(result) }
        }
    }

    /// One transaction; retried a few times because a full disk or a transient I/O error may
    /// clear. A commit that still fails is final: the store stops, acknowledgements stay unsent.
    private func commit(_ operations: [StoreOperation]) -> Result<Void, StoreError> {
        var lastError: (any Error)?
        for attempt in 0..<3 {
            do {
                try database.write { db in try StoreWriter.apply(operations, in: db) }
                counters.withLockedValue {
                    $0.commits += 1
                    $0.operations += operations.count
                }
                return .success(())
            } catch {
                lastError = error
                logger.warning(
                    "store commit failed",
                    metadata: ["attempt": "\(attempt + 1)", "error": "\(error)", "path": "\(path)"]
                )
                Thread.sleep(forTimeInterval: 0.05 * Double(attempt + 1))
            }
        }
        counters.withLockedValue { $0.failures += 1 }
        logger.critical(
            "store commit failed for good: acknowledgements waiting for it will not be sent",
            metadata: ["error": "\(String(describing: lastError))", "path": "\(path)"]
        )
        return .failure(StoreError(.writeFailed, "commit failed: \(String(describing: lastError))"))
    }
}
