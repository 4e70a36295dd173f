// Single-call .xz decompression, for kernels shipped compressed (Debian's
// bzImage carries an xz-compressed vmlinux). Supports what Linux's build
// produces and a little more: LZMA2, optionally behind the x86 BCJ filter;
// check types None, CRC32 and CRC64; any number of blocks and of
// concatenated streams with stream padding. Everything in `in` is
// untrusted: malformed data yields a status, never an access outside the
// two buffers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/lzma_decoder.hpp"
#include "lib/status.hpp"

namespace vireo {

// The decoder's working memory (about 28 KiB, mostly LZMA probabilities):
// too big for the hypervisor's 32 KiB stack, so the caller provides it. The
// boot path decompresses one kernel at a time, single-threaded, and may
// keep a single workspace in static storage.
struct XzWorkspace {
    LzmaDecoder lzma;
    const char* error = nullptr;  // after a failure: a static message naming the problem
};

// Decodes the .xz data in[0, in_len) into out[0, out_cap) and returns the
// decompressed size. INVALID: the data is corrupt or truncated (a check,
// header or index mismatch included); TOO_BIG: the output does not fit;
// NOT_SUPPORTED: a filter or check type this decoder lacks (SHA-256, delta,
// other architectures' BCJ). `work.error` says which.
Result<size_t> xz_decode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, XzWorkspace& work);

// The decompressed size that the indexes of in[0, in_len) record, read from
// the end of the data without decompressing anything: how much to allocate
// before xz_decode. Checks every stream header, footer and index on the way
// (xz_decode then checks the blocks against them). On failure `*why`, if
// given, names the problem.
Result<uint64_t> xz_uncompressed_size(const uint8_t* in, size_t in_len, const char** why = nullptr);

}  // namespace vireo
