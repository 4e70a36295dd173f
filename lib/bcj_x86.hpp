// The .xz x86 branch filter (BCJ, filter 0x04), decoder side.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

// Undoes the filter in place over one whole block's output. `start` is the
// filter's start offset (its optional 4-byte property), the address that
// buf[0] had when the encoder saw it.
void bcj_x86_decode(uint8_t* buf, size_t size, uint32_t start);

}  // namespace vireo
