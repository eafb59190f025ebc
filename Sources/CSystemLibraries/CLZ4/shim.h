// Debian ships this header in the -dev package that scripts/setup installs.
#include <lz4frame.h>
#include <lz4.h>
