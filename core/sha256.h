/*
 * core/sha256.h - SHA-256 (FIPS 180-4) of buffers and files, for the input
 * hashes recorded in every report's provenance.
 */
#ifndef PRIVAUDIT_CORE_SHA256_H
#define PRIVAUDIT_CORE_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct sha256 {
    uint32_t h[8];
    uint64_t n_bytes;
    uint8_t block[64];
    size_t used;
};

void sha256_init(struct sha256 *c);
void sha256_update(struct sha256 *c, const void *data, size_t len);
/* Finish and write the 32-byte digest. */
void sha256_final(struct sha256 *c, uint8_t out[32]);
/* Digest of a buffer as 64 lowercase hex digits + NUL. */
void sha256_hex(const void *data, size_t len, char out[65]);
/* Digest of a file.  Returns 0 or ERR_IO. */
int sha256_file(const char *path, char out[65], struct error *err);

#endif
