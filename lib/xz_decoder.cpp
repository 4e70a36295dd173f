// Forward decoding of .xz streams and blocks ("The .xz File Format" 1.1.0,
// sections 2 and 3). A block is a header naming its filter chain, LZMA2
// data, zero padding to four bytes and the stream's check over the block's
// decompressed bytes. The decoder keeps no per-block memory: each stream's
// blocks are summarised in an IndexTally and compared with its index.
//
// Single call: LZMA2 writes straight into `out`, which doubles as its
// dictionary, and the x86 filter then runs once over each finished block.
#include "lib/xz_decoder.hpp"

#include "lib/bcj_x86.hpp"
#include "lib/crc.hpp"
#include "lib/lzma2_decoder.hpp"
#include "lib/xz_format.hpp"
#include "lib/xz_stream.hpp"

namespace vireo {
namespace {

using namespace xz;

// What a block header asks for, after validation.
struct BlockHeader {
    size_t size = 0;                      // bytes, CRC32 included
    uint64_t compressed = kVliMax + 1;    // > kVliMax: not recorded
    uint64_t uncompressed = kVliMax + 1;  // likewise
    bool x86 = false;
    uint32_t x86_start = 0;
};

class Decoder {
public:
    Decoder(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, XzWorkspace& work)
        : m_in(in), m_in_len(in_len), m_out(out), m_out_cap(out_cap), m_work(work)
    {
    }

    Result<size_t> run();

private:
    Status stream();
    Status block(uint8_t check, IndexTally& tally);
    Status block_header(BlockHeader& h);
    Status filter(uint64_t id, const uint8_t* props, uint64_t props_len, bool last, BlockHeader& h);

    Status fail(Status s, const char* what)
    {
        m_work.error = what;
        return s;
    }
    Status invalid(const char* what) { return fail(Status::INVALID, what); }
    size_t in_left() const { return m_in_len - m_ip; }

    const uint8_t* m_in;
    size_t m_in_len;
    size_t m_ip = 0;
    uint8_t* m_out;
    size_t m_out_cap;
    size_t m_op = 0;
    XzWorkspace& m_work;
};

Result<size_t> Decoder::run()
{
    if (m_in_len == 0)
        return invalid("xz data is empty");
    do {
        VIREO_TRY(stream());
        // Stream padding: zero bytes, a multiple of four, then maybe more streams.
        size_t padding = 0;
        while (m_ip + padding < m_in_len && m_in[m_ip + padding] == 0)
            ++padding;
        if (padding % 4 != 0)
            return invalid("xz stream padding is not a multiple of four bytes");
        m_ip += padding;
    } while (m_ip < m_in_len);
    return m_op;
}

Status Decoder::stream()
{
    if (in_left() < kStreamHeaderSize)
        return invalid(m_ip == 0 ? "not an xz stream (too short)" : "trailing garbage after an xz stream");
    uint8_t check = 0;
    VIREO_TRY(parse_stream_header(m_in + m_ip, check, m_work.error));
    if (check != kCheckNone && check != kCheckCrc32 && check != kCheckCrc64)
        return fail(Status::NOT_SUPPORTED, "xz check type not supported (only none, CRC32 and CRC64)");
    m_ip += kStreamHeaderSize;

    IndexTally decoded;
    while (in_left() > 0 && m_in[m_ip] != kIndexIndicator)
        VIREO_TRY(block(check, decoded));

    IndexTally recorded;
    size_t index_size = 0;
    VIREO_TRY(parse_index(m_in + m_ip, in_left(), recorded, index_size, m_work.error));
    if (!(recorded == decoded))
        return invalid("xz index does not match the blocks");
    m_ip += index_size;

    if (in_left() < kStreamFooterSize)
        return invalid("xz stream footer is truncated");
    uint8_t footer_check = 0;
    uint64_t backward_size = 0;
    VIREO_TRY(parse_stream_footer(m_in + m_ip, footer_check, backward_size, m_work.error));
    if (footer_check != check)
        return invalid("xz stream header and footer disagree");
    if (backward_size != index_size)
        return invalid("xz stream footer disagrees with the index size");
    m_ip += kStreamFooterSize;
    return Status::OK;
}

Status Decoder::block(uint8_t check, IndexTally& tally)
{
    BlockHeader h;
    VIREO_TRY(block_header(h));
    m_ip += h.size;

    // Stay inside what the header promises, when it says anything.
    size_t in_limit = in_left();
    if (h.compressed <= kVliMax) {
        if (h.compressed > in_limit)
            return invalid("xz block is truncated");
        in_limit = static_cast<size_t>(h.compressed);
    }
    if (h.uncompressed <= kVliMax && h.uncompressed > m_out_cap - m_op)
        return fail(Status::TOO_BIG, "decompressed data does not fit the output buffer");

    Lzma2Output lz;
    VIREO_TRY(lzma2_decode(m_in + m_ip, in_limit, m_out, m_op, m_out_cap, m_work.lzma, lz, m_work.error));
    if (h.compressed <= kVliMax && lz.in_used != h.compressed)
        return invalid("xz block's compressed size disagrees with its header");
    if (h.uncompressed <= kVliMax && lz.out_size != h.uncompressed)
        return invalid("xz block's uncompressed size disagrees with its header");
    m_ip += lz.in_used;

    uint8_t* data = m_out + m_op;
    if (h.x86)
        bcj_x86_decode(data, lz.out_size, h.x86_start);

    // Block padding to four bytes, then the check.
    const size_t padding = (4 - lz.in_used % 4) % 4;
    const size_t check_len = check_size(check);
    if (in_left() < padding + check_len)
        return invalid("xz block is truncated");
    for (size_t i = 0; i < padding; ++i)
        if (m_in[m_ip++] != 0)
            return invalid("xz block padding is not zero");
    const uint8_t* stored = m_in + m_ip;
    if (check == kCheckCrc32 && crc32(data, lz.out_size) != le32(stored))
        return invalid("xz block CRC32 mismatch: the data is corrupt");
    if (check == kCheckCrc64 &&
        crc64(data, lz.out_size) != (uint64_t{le32(stored)} | uint64_t{le32(stored + 4)} << 32))
        return invalid("xz block CRC64 mismatch: the data is corrupt");
    m_ip += check_len;

    if (!tally.add(h.size + lz.in_used + check_len, lz.out_size))
        return invalid("xz blocks are impossibly large");
    m_op += lz.out_size;
    return Status::OK;
}

// 3.1 Block Header: size byte, flags, optional sizes, filter flags, zero
// padding, CRC32.
Status Decoder::block_header(BlockHeader& h)
{
    const uint8_t* p = m_in + m_ip;
    h.size = (size_t{p[0]} + 1) * 4;  // 8..1024
    if (h.size > in_left())
        return invalid("xz block header is truncated");
    const size_t end = h.size - 4;
    if (crc32(p, end) != le32(p + end))
        return invalid("xz block header CRC mismatch");
    const uint8_t flags = p[1];
    if (flags & kBlockReservedMask)
        return invalid("xz block header has reserved flags set");

    size_t pos = 2;
    if ((flags & kBlockHasCompressedSize) && (!read_vli(p, end, pos, h.compressed) || h.compressed == 0))
        return invalid("xz block header has a bad compressed size");
    if ((flags & kBlockHasUncompressedSize) && !read_vli(p, end, pos, h.uncompressed))
        return invalid("xz block header has a bad uncompressed size");

    const unsigned filters = (flags & kBlockFilterCountMask) + 1u;
    for (unsigned i = 0; i < filters; ++i) {
        uint64_t id = 0, props_len = 0;
        if (!read_vli(p, end, pos, id) || !read_vli(p, end, pos, props_len) || props_len > end - pos)
            return invalid("xz block header has malformed filter flags");
        VIREO_TRY(filter(id, p + pos, props_len, i + 1 == filters, h));
        pos += props_len;
    }
    for (; pos < end; ++pos)
        if (p[pos] != 0)
            return invalid("xz block header padding is not zero");
    return Status::OK;
}

// Accepts the chains [LZMA2] and [x86, LZMA2], which is what .xz kernels use.
Status Decoder::filter(uint64_t id, const uint8_t* props, uint64_t props_len, bool last, BlockHeader& h)
{
    if (id == kFilterLzma2) {
        if (!last)
            return invalid("xz filter chain has LZMA2 before its end");
        // The dictionary size only bounds what an encoder may refer back
        // to; decoding in place needs no dictionary of its own.
        if (props_len != 1 || props[0] > kLzma2MaxDictBits)
            return invalid("xz LZMA2 filter has bad properties");
        return Status::OK;
    }
    if (last)
        return invalid("xz filter chain does not end with LZMA2");
    if (id != kFilterX86)
        return fail(Status::NOT_SUPPORTED, "xz filter not supported (only x86 BCJ and LZMA2)");
    if (h.x86)
        return fail(Status::NOT_SUPPORTED, "xz filter chain repeats the x86 filter");
    if (props_len != 0 && props_len != 4)
        return invalid("xz x86 filter has bad properties");
    h.x86 = true;
    h.x86_start = props_len == 4 ? le32(props) : 0;
    return Status::OK;
}

}  // namespace

Result<size_t> xz_decode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, XzWorkspace& work)
{
    work.error = nullptr;
    return Decoder(in, in_len, out, out_cap, work).run();
}

}  // namespace vireo
