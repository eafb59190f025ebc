// Debian ships this header in the -dev package that scripts/setup installs.
#include <snappy-c.h>
