#include "cmemory.h"
#include <malloc.h>

int frontline_keep_freed_memory(void) {
    return mallopt(M_MMAP_THRESHOLD, 32 << 20) && mallopt(M_TRIM_THRESHOLD, 512 << 20);
}
