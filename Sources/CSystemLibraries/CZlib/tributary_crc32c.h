// CRC32C (Castagnoli) with the SSE4.2 `crc32` instruction, for KafkaProtocol's RecordBatch v2
// checksums (KIP-98). Swift cannot emit the instruction itself, but the clang importer compiles
// `static inline` functions from an imported header into the Swift caller's object file, and
// `__attribute__((target("sse4.2")))` lets this one function use the instruction while the rest
// of the binary keeps the baseline x86-64 target. Callers must check
// `tributary_crc32c_hardware_available()` first; KafkaProtocol's CRC32C type does.
#ifndef TRIBUTARY_CRC32C_H
#define TRIBUTARY_CRC32C_H

#include <stddef.h>
#include <stdint.h>

#if defined(__x86_64__)

/// 1 when CPUID leaf 1 reports SSE4.2 (ECX bit 20), else 0.
static inline int tributary_crc32c_hardware_available(void) {
    uint32_t eax = 1, ebx = 0, ecx = 0, edx = 0;
    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
    return (ecx >> 20) & 1;
}

/// Continues a CRC32C: `crc` is a finished checksum (0 to start), the result is finished too.
__attribute__((target("sse4.2")))
static inline uint32_t tributary_crc32c_hardware(uint32_t crc, const uint8_t *bytes, size_t count) {
    uint64_t state = (uint32_t)~crc;
    while (count >= 8) {
        uint64_t word;
        __builtin_memcpy(&word, bytes, 8);
        state = __builtin_ia32_crc32di(state, word);
        bytes += 8;
        count -= 8;
    }
    uint32_t small = (uint32_t)state;
    while (count > 0) {
        small = __builtin_ia32_crc32qi(small, *bytes);
        bytes += 1;
        count -= 1;
    }
    return ~small;
}

#else

static inline int tributary_crc32c_hardware_available(void) { return 0; }

static inline uint32_t tributary_crc32c_hardware(uint32_t crc, const uint8_t *bytes, size_t count) {
    (void)bytes;
    (void)count;
    return crc;
}

#endif

#endif
