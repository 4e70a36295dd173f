// Feeds arbitrary bytes to the xz decoder's layers: the whole .xz decoder
// and the backward size query, LZMA2 on its own (so the fuzzer need not
// forge CRCs to reach the LZMA coder), the x86 filter, and the bzImage
// reader. The first byte picks the layer, the second the output size; the
// output buffer is allocated at exactly that size so that AddressSanitizer
// sees any write past it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "hv/core/bzimage.hpp"
#include "lib/bcj_x86.hpp"
#include "lib/lzma2_decoder.hpp"
#include "lib/xz_decoder.hpp"

using namespace vireo;

namespace {

XzWorkspace g_work;

void whole_xz(const uint8_t* in, size_t len, uint8_t* out, size_t cap)
{
    Result<size_t> r = xz_decode(in, len, out, cap, g_work);
    const char* why = nullptr;
    Result<uint64_t> size = xz_uncompressed_size(in, len, &why);
    if (!r.ok()) {
        if (!g_work.error)
            abort();  // every refusal says why
        return;
    }
    // A file that decodes is a valid file: its indexes say the same.
    if (r.value() > cap || !size.ok() || size.value() != r.value())
        abort();
}

void lzma2_only(const uint8_t* in, size_t len, uint8_t* out, size_t cap)
{
    Lzma2Output o;
    const char* why = nullptr;
    if (lzma2_decode(in, len, out, 0, cap, g_work.lzma, o, why) != Status::OK) {
        if (!why)
            abort();
        return;
    }
    if (o.in_used > len || o.out_size > cap)
        abort();
}

void bzimage(const uint8_t* in, size_t len, uint8_t* out, size_t cap)
{
    BzImagePayload p;
    ImageError e = find_bzimage_payload(in, len, p);
    if (!e.ok()) {
        if (!e.what)
            abort();
        return;
    }
    if (p.payload < in || p.payload_len > len || p.payload + p.payload_len > in + len)
        abort();
    if (p.uncompressed_size <= cap)
        (void)unpack_bzimage_payload(p, out, cap, g_work);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2)
        return 0;
    const unsigned mode = data[0] % 4;
    const size_t cap = size_t{data[1]} << 10;
    // Exactly sized copies: a read or write one byte out is a report.
    std::unique_ptr<uint8_t[]> in(new uint8_t[size - 2]);
    std::memcpy(in.get(), data + 2, size - 2);
    std::unique_ptr<uint8_t[]> out(new uint8_t[cap ? cap : 1]);
    switch (mode) {
    case 0: whole_xz(in.get(), size - 2, out.get(), cap); break;
    case 1: lzma2_only(in.get(), size - 2, out.get(), cap); break;
    case 2: bcj_x86_decode(in.get(), size - 2, data[1] * 0x01010101u); break;
    case 3: bzimage(in.get(), size - 2, out.get(), cap); break;
    }
    return 0;
}
