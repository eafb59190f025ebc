import BrokerCore
import Testing

@Suite struct PacketIdentifierAllocatorTests {
    @Test func handsOutNonZeroIdentifiersInTurn() {
        var allocator = PacketIdentifierAllocator()
        #expect(allocator.allocate() == 1)
        #expect(allocator.allocate() == 2)
        #expect(allocator.allocate() == 3)
        #expect(allocator.inUseCount == 3)
        #expect(allocator.isInUse(2))
        #expect(!allocator.isInUse(4))
        #expect(!allocator.isInUse(0))

        #expect(allocator.release(2) == true)
        #expect(allocator.release(2) == false)
        #expect(allocator.release(4) == false)
        #expect(allocator.release(0) == false)
        #expect(!allocator.isInUse(2))
        // A freed identifier is not reused at once: allocation keeps cycling forward.
        #expect(allocator.allocate() == 4)
        #expect(allocator.inUseCount == 3)
    }

    @Test func skipsIdentifiersInUseAndWrapsAroundWithoutZero() {
        var allocator = PacketIdentifierAllocator()
        for expected in 1...UInt16.max {
            let identifier = allocator.allocate()
            #expect(identifier == expected)
            if identifier != 1 && identifier != 3 {
                allocator.release(expected)
            }
        }
        #expect(allocator.inUseCount == 2)
        // After 65535 comes 1, which is still in use, then 2; 3 is skipped too.
        #expect(allocator.allocate() == 2)
        #expect(allocator.allocate() == 4)
    }

    @Test func exhaustionAndRecovery() {
        var allocator = PacketIdentifierAllocator()
        var seen = Set<UInt16>()
        for _ in 0..<PacketIdentifierAllocator.capacity {
            guard let identifier = allocator.allocate() else {
                Issue.record("ran out early at \(seen.count)")
                return
            }
            seen.insert(identifier)
        }
        #expect(seen.count == 65535)
        #expect(!seen.contains(0))
        #expect(allocator.inUseCount == 65535)
        #expect(allocator.allocate() == nil)

        #expect(allocator.release(40000) == true)
        #expect(allocator.release(7) == true)
        // The search continues after the last one handed out (65535), wraps, finds 7 first.
        #expect(allocator.allocate() == 7)
        #expect(allocator.allocate() == 40000)
        #expect(allocator.allocate() == nil)

        for identifier in 1...UInt16.max {
            #expect(allocator.release(identifier) == true)
        }
        #expect(allocator.inUseCount == 0)
        // Still cycling forward from the last one handed out.
        #expect(allocator.allocate() == 40001)
    }

    @Test func markInUseForRestoredSessions() {
        var allocator = PacketIdentifierAllocator()
        #expect(allocator.markInUse(1) == true)
        #expect(allocator.markInUse(2) == true)
        #expect(allocator.markInUse(2) == false)
        #expect(allocator.markInUse(0) == false)
        #expect(allocator.inUseCount == 2)
        #expect(allocator.allocate() == 3)
    }

    @Test func manyInUseThenFewAgain() {
        var allocator = PacketIdentifierAllocator()
        // Enough to switch to the dense representation and back.
        for _ in 0..<5000 {
            _ = allocator.allocate()
        }
        for identifier in stride(from: 1, through: 5000, by: 2) {
            #expect(allocator.release(UInt16(identifier)) == true)
        }
        #expect(allocator.inUseCount == 2500)
        #expect(allocator.isInUse(2))
        #expect(!allocator.isInUse(3))
        #expect(allocator.allocate() == 5001)
        for identifier in stride(from: 2, through: 5000, by: 2) {
            #expect(allocator.release(UInt16(identifier)) == true)
        }
        #expect(allocator.release(5001) == true)
        #expect(allocator.inUseCount == 0)
        #expect(allocator.allocate() == 5002)
    }
}
