#ifndef TIERLINE_CLMDB_SHIM_H
#define TIERLINE_CLMDB_SHIM_H

#include <lmdb.h>

#endif
