// Debian ships this header in the -dev package that scripts/setup installs.
#include <zstd.h>

// ZSTD_CONTENTSIZE_UNKNOWN / _ERROR are expression macros that Swift does not import.

/// 1 when `ZSTD_getFrameContentSize` returned "unknown".
static inline int tributary_zstd_content_size_unknown(unsigned long long size) {
    return size == ZSTD_CONTENTSIZE_UNKNOWN;
}

/// 1 when `ZSTD_getFrameContentSize` returned "error" (not a zstd frame).
static inline int tributary_zstd_content_size_error(unsigned long long size) {
    return size == ZSTD_CONTENTSIZE_ERROR;
}
