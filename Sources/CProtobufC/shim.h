#ifndef ISID_CPROTOBUFC_SHIM_H
#define ISID_CPROTOBUFC_SHIM_H

// The protobuf-c runtime imports into Swift as it is; no wrapper is needed yet.
#include <protobuf-c/protobuf-c.h>

#endif
