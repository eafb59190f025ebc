// Debian ships this header in the -dev package that scripts/setup installs.
#include <zlib.h>
