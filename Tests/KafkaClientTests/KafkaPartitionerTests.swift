import KafkaClient
import NIOCore
import Testing

@Suite struct KafkaPartitionerTests {
    private func murmur2(_ text: String) -> Int32 {
        Int32(bitPattern: Array(text.utf8).withUnsafeBytes { KafkaPartitioner.murmur2($0) })
    }

    /// The vectors of apache/kafka's `UtilsTest.testMurmur2`.
    @Test func matchesTheJavaClientsMurmur2() {
        #expect(self.murmur2("21") == -973_932_308)
        #expect(self.murmur2("foobar") == -790_332_482)
        #expect(self.murmur2("a-little-bit-long-string") == -985_981_536)
        #expect(self.murmur2("a-little-bit-longer-string") == -1_486_304_829)
        #expect(self.murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58_897_971)
        #expect(self.murmur2("abc") == 479_470_107)
    }

    @Test func partitionIsThePositiveHashModuloTheCount() {
        let key = ByteBuffer(string: "21")
        let expected = Int32(-973_932_308 & 0x7fff_ffff) % 7
        #expect(KafkaPartitioner.partition(forKey: key, partitionCount: 7) == expected)
        #expect(KafkaPartitioner.partition(forKey: ByteBuffer(), partitionCount: 1) == 0)
    }
}
