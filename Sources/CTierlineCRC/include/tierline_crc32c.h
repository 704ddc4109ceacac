#ifndef TIERLINE_CRC32C_H
#define TIERLINE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when the processor has the SSE 4.2 CRC32 instruction, 0 otherwise.
int tierline_crc32c_hardware_available(void);

/// The result of tierline_crc32c_hardware_available(), set once when the program loads.
extern int tierline_crc32c_has_hardware;

/// Returns tierline_crc32c_has_hardware. The checksum of every record reads it, so it is
/// inline: one load and no call.
static inline int tierline_crc32c_uses_hardware(void) {
  return tierline_crc32c_has_hardware;
}

/// Continues a CRC-32C over `count` bytes with the SSE 4.2 CRC32 instruction.
/// `crc` is the running value before the final inversion (start with 0xFFFFFFFF).
/// Call only when tierline_crc32c_hardware_available() returns 1.
uint32_t tierline_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

/// Continues a CRC-32C over `first_count` bytes at `first`, then over `second_count`
/// bytes at `second`, as tierline_crc32c_hardware does over one run of bytes. One call
/// in place of two, for a record whose checksum covers two runs.
uint32_t tierline_crc32c_hardware_pair(uint32_t crc, const void *first, size_t first_count,
                                       const void *second, size_t second_count);

#endif
