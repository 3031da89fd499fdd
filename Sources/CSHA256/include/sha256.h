#ifndef TAPEDECK_SHA256_H
#define TAPEDECK_SHA256_H

#include <stddef.h>
#include <stdint.h>

/// SHA-256 (FIPS 180-4) of `length` bytes at `data` into `digest` (32 bytes).
/// Uses the x86 SHA extensions (`sha256rnds2`, `sha256msg1`, `sha256msg2`) when the CPU has
/// them, portable C otherwise.
void tapedeck_sha256(const void *data, size_t length, uint8_t digest[32]);

/// The same with portable C only, whatever the CPU; for tests that compare the two.
void tapedeck_sha256_portable(const void *data, size_t length, uint8_t digest[32]);

#endif
