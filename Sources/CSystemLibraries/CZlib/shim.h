// Debian ships this header in the -dev package that scripts/setup installs.
#include <zlib.h>
// CRC32C lives beside zlib's CRC32: both are the checksums KafkaProtocol needs.
#include "tributary_crc32c.h"

// zlib's init functions are macros (they pass ZLIB_VERSION and sizeof(z_stream)), which Swift
// cannot import; these wrappers make them callable.

/// Starts a deflate stream that writes a gzip header and trailer (windowBits 15 + 16).
static inline int tributary_deflate_init_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

/// Starts an inflate stream that accepts gzip or zlib framing (windowBits 15 + 32: auto-detect).
static inline int tributary_inflate_init_auto(z_streamp stream) {
    return inflateInit2(stream, 15 + 32);
}
