// Stream header (2.1.1), index (4) and stream footer (2.1.2) of "The .xz
// File Format" 1.1.0, and the backward walk over a file's streams that
// reads the decompressed size without decompressing: the format stores the
// index at the end precisely so that it can be found from there.
#include "lib/xz_stream.hpp"

#include "lib/crc.hpp"
#include "lib/xz_decoder.hpp"
#include "lib/xz_format.hpp"

namespace vireo::xz {
namespace {

Status fail(const char*& why, const char* what)
{
    why = what;
    return Status::INVALID;
}

// 2.1.1.2: the first byte and the high nibble of the second are reserved.
bool flags_ok(const uint8_t* flags) { return flags[0] == 0 && (flags[1] & 0xf0) == 0; }

}  // namespace

bool IndexTally::add(uint64_t unpadded_size, uint64_t uncompressed_size)
{
    uint64_t padded = (unpadded_size + 3) & ~uint64_t{3};
    if (unpadded_size > kVliMax || uncompressed_size > kVliMax || padded > kVliMax - blocks_size ||
        uncompressed_size > kVliMax - uncompressed)
        return false;
    ++count;
    unpadded += unpadded_size;
    uncompressed += uncompressed_size;
    blocks_size += padded;
    uint8_t record[16];
    for (unsigned i = 0; i < 8; ++i) {
        record[i] = static_cast<uint8_t>(unpadded_size >> (8 * i));
        record[8 + i] = static_cast<uint8_t>(uncompressed_size >> (8 * i));
    }
    hash = crc64(record, sizeof record, hash);
    return true;
}

Status parse_stream_header(const uint8_t* p, uint8_t& check, const char*& why)
{
    if (__builtin_memcmp(p, kHeaderMagic, sizeof kHeaderMagic) != 0)
        return fail(why, "not an xz stream (bad header magic)");
    if (crc32(p + 6, 2) != le32(p + 8))
        return fail(why, "xz stream header CRC mismatch");
    if (!flags_ok(p + 6))
        return fail(why, "xz stream header has reserved flags set");
    check = p[7];
    return Status::OK;
}

Status parse_stream_footer(const uint8_t* p, uint8_t& check, uint64_t& index_size, const char*& why)
{
    if (__builtin_memcmp(p + 10, kFooterMagic, sizeof kFooterMagic) != 0)
        return fail(why, "xz stream footer is missing (bad footer magic)");
    if (crc32(p + 4, 6) != le32(p))
        return fail(why, "xz stream footer CRC mismatch");
    if (!flags_ok(p + 8))
        return fail(why, "xz stream footer has reserved flags set");
    check = p[9];
    index_size = (uint64_t{le32(p + 4)} + 1) * 4;  // Backward Size
    return Status::OK;
}

Status parse_index(const uint8_t* in, size_t len, IndexTally& tally, size_t& size, const char*& why)
{
    size_t pos = 0;
    if (len == 0 || in[pos++] != kIndexIndicator)
        return fail(why, "xz index is missing");
    uint64_t records = 0;
    if (!read_vli(in, len, pos, records))
        return fail(why, "xz index is malformed (record count)");
    // Each record takes at least two bytes, so the loop ends with the input.
    for (uint64_t i = 0; i < records; ++i) {
        uint64_t unpadded_size = 0, uncompressed_size = 0;
        if (!read_vli(in, len, pos, unpadded_size) || !read_vli(in, len, pos, uncompressed_size))
            return fail(why, "xz index is malformed (record)");
        if (unpadded_size == 0 || !tally.add(unpadded_size, uncompressed_size))
            return fail(why, "xz index records impossible sizes");
    }
    while (pos % 4 != 0) {
        if (pos >= len || in[pos++] != 0)
            return fail(why, "xz index padding is not zero");
    }
    if (len - pos < 4)
        return fail(why, "xz index is truncated");
    if (crc32(in, pos) != le32(in + pos))
        return fail(why, "xz index CRC mismatch");
    size = pos + 4;
    return Status::OK;
}

}  // namespace vireo::xz

namespace vireo {

Result<uint64_t> xz_uncompressed_size(const uint8_t* in, size_t in_len, const char** why_out)
{
    using namespace xz;
    const char* dummy = nullptr;
    const char*& why = why_out ? *why_out : dummy;
    uint64_t total = 0;
    size_t end = in_len;
    // Streams from the last to the first; stream padding (a multiple of
    // four zero bytes) may follow each one, but not precede the first.
    do {
        while (end >= 4 && le32(in + end - 4) == 0)
            end -= 4;
        if (end < kStreamHeaderSize + kStreamFooterSize)
            return fail(why, end == 0 && in_len != 0 ? "xz data is all padding" : "xz data is truncated");
        uint8_t footer_check = 0, header_check = 0;
        uint64_t index_size = 0;
        VIREO_TRY(parse_stream_footer(in + end - kStreamFooterSize, footer_check, index_size, why));
        size_t before_footer = end - kStreamFooterSize - kStreamHeaderSize;  // room for index + blocks
        if (index_size > before_footer)
            return fail(why, "xz index size points outside the data");
        size_t index_start = end - kStreamFooterSize - index_size;
        IndexTally tally;
        size_t parsed = 0;
        VIREO_TRY(parse_index(in + index_start, index_size, tally, parsed, why));
        if (parsed != index_size)
            return fail(why, "xz index size disagrees with the stream footer");
        if (tally.blocks_size > index_start - kStreamHeaderSize)
            return fail(why, "xz index describes more blocks than the data holds");
        size_t start = index_start - tally.blocks_size - kStreamHeaderSize;
        VIREO_TRY(parse_stream_header(in + start, header_check, why));
        if (header_check != footer_check)
            return fail(why, "xz stream header and footer disagree");
        if (tally.uncompressed > kVliMax - total)
            return fail(why, "xz data decompresses to an impossible size");
        total += tally.uncompressed;
        end = start;
    } while (end != 0);
    return total;
}

}  // namespace vireo
