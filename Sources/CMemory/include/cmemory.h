#ifndef FRONTLINE_CMEMORY_H
#define FRONTLINE_CMEMORY_H

/// Asks glibc's allocator to keep freed memory for reuse: blocks below 32 MB come from the heap
/// instead of fresh mappings, and the heap is trimmed only past 512 MB free. Returns 1 on success.
int frontline_keep_freed_memory(void);

#endif
