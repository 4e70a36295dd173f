// The bzImage fields used here (boot protocol 2.08 and later; offsets from
// the start of the file, little-endian):
//
//   0x1f1  u8   setup_sects      512-byte setup sectors after the boot
//                                sector; 0 means 4
//   0x202  u32  header           "HdrS"
//   0x206  u16  version          boot protocol, 0x0208 = 2.08
//   0x248  u32  payload_offset   from the protected-mode code, which starts
//                                at (setup_sects + 1) * 512
//   0x24c  u32  payload_length
//
// Linux's build (arch/x86/boot/compressed: the *_with_size rules and
// mkpiggy) appends the decompressed size as a 4-byte little-endian number to
// the compressed data, and payload_length covers it. For xz the index at
// the end of the data records the same size independently; the two must
// agree, which also catches a payload_length that cuts the data short.
#include "hv/core/bzimage.hpp"

namespace vireo {
namespace {

constexpr size_t kSetupSectsOffset = 0x1f1;
constexpr size_t kHeaderMagicOffset = 0x202;
constexpr size_t kVersionOffset = 0x206;
constexpr size_t kPayloadOffsetOffset = 0x248;
constexpr size_t kPayloadLengthOffset = 0x24c;
constexpr size_t kHeaderEnd = 0x250;  // the fields above all lie before this
constexpr uint16_t kMinVersion = 0x0208;  // the first with payload_offset/length
constexpr size_t kSectorSize = 512;
constexpr unsigned kDefaultSetupSects = 4;
constexpr size_t kSizeTrailer = 4;

// Compressions Linux can build a bzImage with, by the magic bytes their
// data starts with (lib/decompress.c lists the same), and what to say about
// each since only xz is decoded.
struct Compression {
    uint8_t magic[6];
    uint8_t magic_len;
    const char* refusal;
};
constexpr uint8_t kXzMagic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};
constexpr Compression kOthers[] = {
    {{0x1f, 0x8b}, 2, "bzImage payload is gzip: only xz is supported"},
    {{'B', 'Z', 'h'}, 3, "bzImage payload is bzip2: only xz is supported"},
    {{0x5d, 0x00, 0x00}, 3, "bzImage payload is lzma: only xz is supported"},
    {{0x89, 'L', 'Z', 'O'}, 4, "bzImage payload is lzo: only xz is supported"},
    {{0x02, 0x21, 0x4c, 0x18}, 4, "bzImage payload is lz4: only xz is supported"},
    {{0x28, 0xb5, 0x2f, 0xfd}, 4, "bzImage payload is zstd: only xz is supported"},
    {{0x7f, 'E', 'L', 'F'}, 4, "bzImage payload is an uncompressed ELF: only xz is supported"},
};

bool starts_with(const uint8_t* p, size_t len, const uint8_t* magic, size_t magic_len)
{
    return len >= magic_len && __builtin_memcmp(p, magic, magic_len) == 0;
}

uint32_t le32(const uint8_t* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

ImageError invalid(const char* what) { return {Status::INVALID, what}; }

}  // namespace

bool is_bzimage(const uint8_t* data, size_t size)
{
    return size >= kHeaderMagicOffset + 4 && __builtin_memcmp(data + kHeaderMagicOffset, "HdrS", 4) == 0;
}

ImageError find_bzimage_payload(const uint8_t* data, size_t size, BzImagePayload& out)
{
    if (!is_bzimage(data, size))
        return invalid("not a bzImage (no HdrS setup header)");
    if (size < kHeaderEnd)
        return invalid("bzImage setup header is truncated");
    const uint16_t version = static_cast<uint16_t>(data[kVersionOffset] | data[kVersionOffset + 1] << 8);
    if (version < kMinVersion)
        return {Status::NOT_SUPPORTED, "bzImage boot protocol is older than 2.08 (no payload fields)"};

    const unsigned setup_sects = data[kSetupSectsOffset] ? data[kSetupSectsOffset] : kDefaultSetupSects;
    const uint64_t pm_start = (uint64_t{setup_sects} + 1) * kSectorSize;
    const uint64_t offset = pm_start + le32(data + kPayloadOffsetOffset);
    const uint64_t length = le32(data + kPayloadLengthOffset);
    if (offset > size || length > size - offset)
        return invalid("bzImage payload lies outside the file");
    const uint8_t* payload = data + offset;

    if (!starts_with(payload, length, kXzMagic, sizeof kXzMagic)) {
        for (const Compression& c : kOthers)
            if (starts_with(payload, length, c.magic, c.magic_len))
                return {Status::NOT_SUPPORTED, c.refusal};
        return {Status::NOT_SUPPORTED, "bzImage payload has an unknown compression: only xz is supported"};
    }
    if (length < kSizeTrailer)
        return invalid("bzImage payload is truncated");

    const size_t xz_len = static_cast<size_t>(length - kSizeTrailer);
    const uint32_t trailer = le32(payload + xz_len);
    const char* why = nullptr;
    Result<uint64_t> indexed = xz_uncompressed_size(payload, xz_len, &why);
    if (!indexed.ok())
        return {indexed.status(), why};
    if (indexed.value() != trailer)
        return invalid("bzImage size trailer disagrees with the xz index");
    if (trailer == 0)
        return invalid("bzImage payload decompresses to nothing");

    out.payload = payload;
    out.payload_len = xz_len;
    out.uncompressed_size = trailer;
    return {};
}

ImageError unpack_bzimage_payload(const BzImagePayload& p, uint8_t* out, size_t out_cap, XzWorkspace& work)
{
    if (out_cap < p.uncompressed_size)
        return {Status::TOO_BIG, "bzImage payload does not fit the buffer given"};
    Result<size_t> r = xz_decode(p.payload, p.payload_len, out, p.uncompressed_size, work);
    if (r.status() == Status::TOO_BIG)  // the index promised exactly this size
        return invalid("bzImage payload decompresses to more than its recorded size");
    if (!r.ok())
        return {r.status(), work.error};
    if (r.value() != p.uncompressed_size)
        return invalid("bzImage payload decompresses to less than its recorded size");
    return {};
}

}  // namespace vireo
