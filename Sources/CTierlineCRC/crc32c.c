#include "tierline_crc32c.h"

#include <string.h>

int tierline_crc32c_has_hardware = 0;

__attribute__((constructor)) static void tierline_crc32c_detect(void) {
  tierline_crc32c_has_hardware = tierline_crc32c_hardware_available();
}

#if defined(__x86_64__)

int tierline_crc32c_hardware_available(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") ? 1 : 0;
}

__attribute__((target("sse4.2"), always_inline))
static inline uint32_t crc32c_hardware_update(uint32_t crc, const void *bytes, size_t count) {
  const unsigned char *next = bytes;
  uint64_t wide = crc;
  while (count >= 8) {
    uint64_t word;
    memcpy(&word, next, sizeof word);
    wide = __builtin_ia32_crc32di(wide, word);
    next += 8;
    count -= 8;
  }
  uint32_t narrow = (uint32_t)wide;
  /* The last 0 to 7 bytes in at most three steps of 4, 2 and 1 bytes. */
  if (count & 4) {
    uint32_t word;
    memcpy(&word, next, sizeof word);
    narrow = __builtin_ia32_crc32si(narrow, word);
    next += 4;
  }
  if (count & 2) {
    uint16_t half;
    memcpy(&half, next, sizeof half);
    narrow = __builtin_ia32_crc32hi(narrow, half);
    next += 2;
  }
  if (count & 1) {
    narrow = __builtin_ia32_crc32qi(narrow, *next);
  }
  return narrow;
}

__attribute__((target("sse4.2")))
uint32_t tierline_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
  return crc32c_hardware_update(crc, bytes, count);
}

__attribute__((target("sse4.2")))
uint32_t tierline_crc32c_hardware_pair(uint32_t crc, const void *first, size_t first_count,
                                       const void *second, size_t second_count) {
  return crc32c_hardware_update(crc32c_hardware_update(crc, first, first_count), second,
                                second_count);
}

#else

int tierline_crc32c_hardware_available(void) { return 0; }

uint32_t tierline_crc32c_hardware(uint32_t crc, const void *bytes, size_t count) {
  (void)bytes;
  (void)count;
  return crc;
}

uint32_t tierline_crc32c_hardware_pair(uint32_t crc, const void *first, size_t first_count,
                                       const void *second, size_t second_count) {
  (void)first;
  (void)first_count;
  (void)second;
  (void)second_count;
  return crc;
}

#endif
