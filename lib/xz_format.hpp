// The .xz container's constants and its two primitive encodings, shared by
// the decoder and the index reader. Numbers refer to "The .xz File Format"
// version 1.1.0 (tukaani.org/xz/xz-file-format.txt).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo::xz {

inline constexpr size_t kStreamHeaderSize = 12;  // 2.1.1
inline constexpr size_t kStreamFooterSize = 12;  // 2.1.2
inline constexpr uint8_t kHeaderMagic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
inline constexpr uint8_t kFooterMagic[2] = {'Y', 'Z'};

// 2.1.1.2 Stream Flags: the check type's id (3.4).
inline constexpr uint8_t kCheckNone = 0x00;
inline constexpr uint8_t kCheckCrc32 = 0x01;
inline constexpr uint8_t kCheckCrc64 = 0x04;
inline constexpr uint8_t kCheckSha256 = 0x0a;

// Size of the Check field for each of the 16 possible ids, supported or not.
constexpr size_t check_size(uint8_t id) { return id == 0 ? 0 : size_t{4} << ((id - 1) / 3); }

// 3.1.2 Block Flags.
inline constexpr uint8_t kBlockFilterCountMask = 0x03;  // filters - 1
inline constexpr uint8_t kBlockReservedMask = 0x3c;
inline constexpr uint8_t kBlockHasCompressedSize = 0x40;
inline constexpr uint8_t kBlockHasUncompressedSize = 0x80;

// 5.3 Filter IDs that Vireo decodes.
inline constexpr uint64_t kFilterX86 = 0x04;
inline constexpr uint64_t kFilterLzma2 = 0x21;
inline constexpr uint8_t kLzma2MaxDictBits = 40;  // 5.3.1: dictionary size byte

inline constexpr uint8_t kIndexIndicator = 0x00;  // 4.1: where a Block Header Size would be
inline constexpr uint64_t kVliMax = (uint64_t{1} << 63) - 1;

inline uint32_t le32(const uint8_t* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// 1.2 Multibyte integers: 7 bits a byte, least significant first, at most
// nine bytes, and no superfluous trailing zero byte. Reads from in[pos,
// end); false (pos unspecified) if the number is malformed or runs past end.
inline bool read_vli(const uint8_t* in, size_t end, size_t& pos, uint64_t& value)
{
    value = 0;
    for (unsigned i = 0; i < 9; ++i) {
        if (pos >= end)
            return false;
        uint8_t b = in[pos++];
        value |= uint64_t{b & 0x7fu} << (7 * i);
        if ((b & 0x80) == 0)
            return i == 0 || b != 0;
    }
    return false;
}

}  // namespace vireo::xz
