#ifndef HYDRAGUARD_CZLIB_SHIM_H
#define HYDRAGUARD_CZLIB_SHIM_H
#include <zlib.h>
#endif
