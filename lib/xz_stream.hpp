// The parts of an .xz stream around its blocks: stream header, index and
// stream footer. The forward decoder and the backward size query share them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/status.hpp"

namespace vireo::xz {

// What a stream's blocks add up to. The decoder builds one tally from the
// blocks it decoded and one from the index and compares them; a CRC64 over
// the records in order stands in for comparing record by record, which
// would need memory for every block (liblzma checks its index the same way).
struct IndexTally {
    uint64_t count = 0;
    uint64_t unpadded = 0;      // sum of Unpadded Sizes
    uint64_t uncompressed = 0;  // sum of Uncompressed Sizes
    uint64_t blocks_size = 0;   // bytes the blocks occupy: Unpadded Sizes rounded up to 4
    uint64_t hash = 0;          // CRC64 over each record's two sizes

    // False if a sum would leave the range of an .xz integer.
    [[nodiscard]] bool add(uint64_t unpadded_size, uint64_t uncompressed_size);
    bool operator==(const IndexTally&) const = default;
};

// Checks the 12-byte stream header at p and returns its check type.
Status parse_stream_header(const uint8_t* p, uint8_t& check, const char*& why);

// Checks the 12-byte stream footer at p: its check type and the size of
// the index before it.
Status parse_stream_footer(const uint8_t* p, uint8_t& check, uint64_t& index_size, const char*& why);

// Parses the index that starts at in[0] and may extend to in[len - 1] into
// `tally`; `size` is how many bytes it occupies.
Status parse_index(const uint8_t* in, size_t len, IndexTally& tally, size_t& size, const char*& why);

}  // namespace vireo::xz
