// LZMA2 chunk framing (the .xz format's filter 0x21; its chunks are
// described in the XZ Embedded and liblzma documentation). A control byte
// starts each chunk:
//
//   0x00                end of the LZMA2 data
//   0x01                stored chunk, after a dictionary reset
//   0x02                stored chunk
//   0x03..0x7f          invalid
//   0x80 | r << 5 | u   LZMA chunk; u: bits 16..20 of (size - 1);
//                       r = 0 nothing reset, 1 state reset,
//                       2 state reset with new props, 3 all that and a
//                       dictionary reset
//
// Stored chunks carry a 16-bit big-endian (size - 1); LZMA chunks carry the
// uncompressed (size - 1) low 16 bits, the compressed (size - 1), and a
// props byte when r >= 2. The first chunk must reset the dictionary, and
// after a dictionary reset the first LZMA chunk must set the properties.
#include "lib/lzma2_decoder.hpp"

namespace vireo {
namespace {

constexpr uint8_t kEnd = 0x00;
constexpr uint8_t kStoredDictReset = 0x01;
constexpr uint8_t kStored = 0x02;
constexpr uint8_t kLzma = 0x80;
constexpr uint8_t kLzmaStateReset = 0xa0;
constexpr uint8_t kLzmaNewProps = 0xc0;
constexpr uint8_t kLzmaDictReset = 0xe0;

Status fail(const char*& why, Status s, const char* what)
{
    why = what;
    return s;
}

size_t be16(const uint8_t* p) { return size_t{p[0]} << 8 | p[1]; }

}  // namespace

Status lzma2_decode(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_start, size_t out_cap,
                    LzmaDecoder& lzma, Lzma2Output& result, const char*& why)
{
    size_t ip = 0;
    size_t op = out_start;
    size_t dict_start = out_start;
    bool need_dict_reset = true;
    bool need_props = true;

    for (;;) {
        if (ip >= in_len)
            return fail(why, Status::INVALID, "LZMA2 data is truncated");
        const uint8_t control = in[ip++];
        if (control == kEnd)
            break;
        if (control > kStored && control < kLzma)
            return fail(why, Status::INVALID, "LZMA2 chunk has an invalid control byte");

        if (control == kStoredDictReset || control >= kLzmaDictReset) {
            dict_start = op;
            need_dict_reset = false;
            need_props = true;
        } else if (need_dict_reset) {
            return fail(why, Status::INVALID, "LZMA2 data does not start with a dictionary reset");
        }

        if (control < kLzma) {
            if (in_len - ip < 2)
                return fail(why, Status::INVALID, "LZMA2 chunk header is truncated");
            size_t size = be16(in + ip) + 1;
            ip += 2;
            if (in_len - ip < size)
                return fail(why, Status::INVALID, "LZMA2 stored chunk is truncated");
            if (out_cap - op < size)
                return fail(why, Status::TOO_BIG, "decompressed data does not fit the output buffer");
            __builtin_memcpy(out + op, in + ip, size);
            ip += size;
            op += size;
            continue;
        }

        const size_t header = control >= kLzmaNewProps ? 5 : 4;
        if (in_len - ip < header)
            return fail(why, Status::INVALID, "LZMA2 chunk header is truncated");
        const size_t out_size = (size_t{control & 0x1fu} << 16 | be16(in + ip)) + 1;
        const size_t in_size = be16(in + ip + 2) + 1;
        if (control >= kLzmaNewProps) {
            LzmaProps props;
            if (!decode_lzma2_props(in[ip + 4], props))
                return fail(why, Status::INVALID, "LZMA2 chunk has invalid LZMA properties");
            lzma.set_props(props);
            need_props = false;
        } else if (need_props) {
            return fail(why, Status::INVALID, "LZMA2 chunk needs LZMA properties first");
        }
        ip += header;
        if (control >= kLzmaStateReset)
            lzma.reset_state();
        if (in_len - ip < in_size)
            return fail(why, Status::INVALID, "LZMA2 chunk is truncated");
        if (out_cap - op < out_size)
            return fail(why, Status::TOO_BIG, "decompressed data does not fit the output buffer");
        VIREO_TRY(lzma.decode_chunk(in + ip, in_size, out, dict_start, op, out_size, why));
        ip += in_size;
        op += out_size;
    }

    result.in_used = ip;
    result.out_size = op - out_start;
    return Status::OK;
}

}  // namespace vireo
