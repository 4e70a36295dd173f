// The two checksums of the .xz format: CRC32 (the IEEE 802.3 polynomial, as
// in zlib and Ethernet) and CRC64 (ECMA-182). Both are the reflected,
// pre- and post-inverted variants; `crc` carries a previous result so a
// long buffer can be summed in pieces.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

uint32_t crc32(const uint8_t* data, size_t len, uint32_t crc = 0);
uint64_t crc64(const uint8_t* data, size_t len, uint64_t crc = 0);

}  // namespace vireo
