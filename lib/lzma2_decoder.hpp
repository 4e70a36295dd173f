// LZMA2: the chunk framing around LZMA that .xz uses. Each chunk is either
// stored (copied verbatim) or LZMA-coded, and may reset the dictionary, the
// coder state or the LZMA properties before it starts.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/lzma_decoder.hpp"
#include "lib/status.hpp"

namespace vireo {

struct Lzma2Output {
    size_t in_used = 0;   // compressed bytes, up to and including the end marker
    size_t out_size = 0;  // bytes written at out[out_start]
};

// Decodes one LZMA2 stream from in[0, in_len) (it may end earlier: the
// stream carries its own end marker) into out[out_start, out_cap), using
// the output buffer as the dictionary. INVALID for corrupt data, TOO_BIG if
// the output does not fit; `why` then names the problem.
Status lzma2_decode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_start, size_t out_cap,
                    LzmaDecoder& lzma, Lzma2Output& result, const char*& why);

}  // namespace vireo
