#ifndef ISID_CNGHTTP2_SHIM_H
#define ISID_CNGHTTP2_SHIM_H

// The whole nghttp2 API imports into Swift as it is; no wrapper is needed yet.
#include <nghttp2/nghttp2.h>

#endif
