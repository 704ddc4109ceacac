#ifndef TIERLINE_CRC32C_H
#define TIERLINE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Returns 1 when the processor has the SSE 4.2 CRC32 instruction, 0 otherwise.
int tierline_crc32c_hardware_available(void);

/// Continues a CRC-32C over `count` bytes with the SSE 4.2 CRC32 instruction.
/// `crc` is the running value before the final inversion (start with 0xFFFFFFFF).
/// Call only when tierline_crc32c_hardware_available() returns 1.
uint32_t tierline_crc32c_hardware(uint32_t crc, const void *bytes, size_t count);

#endif
