// Table-driven CRCs, four bytes a step ("slicing by 4"): the kernel payload
// is tens of megabytes and is summed under an emulator at boot, so the plain
// byte-at-a-time loop is too slow. The tables are built at compile time, so
// there is nothing to initialise and nothing to race on.
#include "lib/crc.hpp"

namespace vireo {
namespace {

constexpr uint32_t kCrc32Poly = 0xedb88320u;               // 0x04c11db7 reflected
constexpr uint64_t kCrc64Poly = 0xc96c5795d7870f42ull;     // ECMA-182, reflected

// t[0] is the classic byte table; t[k][b] advances t[0][b] by k more zero bytes.
template <typename T>
struct SliceTables {
    T t[4][256];
};

template <typename T>
constexpr SliceTables<T> make_tables(T poly)
{
    SliceTables<T> s{};
    for (unsigned b = 0; b < 256; ++b) {
        T r = b;
        for (int i = 0; i < 8; ++i)
            r = (r & 1) ? (r >> 1) ^ poly : r >> 1;
        s.t[0][b] = r;
    }
    for (unsigned k = 1; k < 4; ++k)
        for (unsigned b = 0; b < 256; ++b)
            s.t[k][b] = (s.t[k - 1][b] >> 8) ^ s.t[0][s.t[k - 1][b] & 0xff];
    return s;
}

constinit const SliceTables<uint32_t> kCrc32 = make_tables<uint32_t>(kCrc32Poly);
constinit const SliceTables<uint64_t> kCrc64 = make_tables<uint64_t>(kCrc64Poly);

uint32_t load_le32(const uint8_t* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

template <typename T>
T crc_update(const SliceTables<T>& s, const uint8_t* p, size_t len, T crc)
{
    crc = ~crc;
    for (; len >= 4; len -= 4, p += 4) {
        // The low 32 bits of the register meet the next four bytes; the rest
        // of a 64-bit register just moves down by four bytes.
        uint32_t x = static_cast<uint32_t>(crc) ^ load_le32(p);
        T rest = sizeof(T) > 4 ? static_cast<T>(static_cast<uint64_t>(crc) >> 32) : 0;
        crc = rest ^ s.t[3][x & 0xff] ^ s.t[2][(x >> 8) & 0xff] ^ s.t[1][(x >> 16) & 0xff] ^ s.t[0][x >> 24];
    }
    for (; len > 0; --len, ++p)
        crc = (crc >> 8) ^ s.t[0][(crc ^ *p) & 0xff];
    return ~crc;
}

}  // namespace

uint32_t crc32(const uint8_t* data, size_t len, uint32_t crc) { return crc_update(kCrc32, data, len, crc); }

uint64_t crc64(const uint8_t* data, size_t len, uint64_t crc) { return crc_update(kCrc64, data, len, crc); }

}  // namespace vireo
