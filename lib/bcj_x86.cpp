// Compressors see x86 code as noise because every CALL (E8) and JMP (E9)
// rel32 operand differs even when the targets are the same. The encoder
// therefore rewrote each operand that looks like a near displacement into
// an absolute address (offset + operand), and this undoes it. "Looks like":
// the operand's top byte is 0x00 or 0xFF, and no recent E8/E9 byte that was
// left alone has an operand overlapping this opcode in a way that makes
// the encoder's choice ambiguous. That second rule is why the decoder keeps
// a 3-bit history of skipped opcode bytes in the three positions before the
// current one: both sides must make the same decision on the same bytes, so
// it is reproduced bit for bit from the reference encoder's behaviour (LZMA
// SDK Bra86.c, liblzma simple/x86.c).
//
// The last four bytes of a block can hold no whole operand and stay as they
// are. The filter runs once over a whole block after LZMA2 has produced it:
// LZMA2's matches must see the filtered bytes, so the two cannot interleave
// in place.
#include "lib/bcj_x86.hpp"

namespace vireo {
namespace {

// 0x00 or 0xFF: the sign-extension byte of a displacement within +-16 MiB.
bool near_byte(uint8_t b) { return b == 0x00 || b == 0xff; }

// Indexed by the history mask. Whether an opcode may be converted at all
// with this history, and which of its operand bytes (counted from the top,
// 1..3) the earlier skipped opcode's operand would overlap.
constexpr bool kHistoryAllows[8] = {true, true, true, false, true, false, false, false};
constexpr unsigned kHistoryByte[8] = {0, 1, 2, 2, 3, 3, 3, 3};

uint32_t load_le32(const uint8_t* p)
{
    return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

void store_le32(uint8_t* p, uint32_t v)
{
    p[0] = static_cast<uint8_t>(v);
    p[1] = static_cast<uint8_t>(v >> 8);
    p[2] = static_cast<uint8_t>(v >> 16);
    p[3] = static_cast<uint8_t>(v >> 24);
}

}  // namespace

void bcj_x86_decode(uint8_t* buf, size_t size, uint32_t start)
{
    if (size < 5)
        return;
    const size_t limit = size - 4;  // opcode positions whose operand is inside buf
    unsigned history = 0;           // bit k: the E8/E9 k bytes before `last` was left alone
    size_t last = 0;                // position of the previous E8/E9 seen
    bool seen = false;

    for (size_t i = 0; i < limit; ++i) {
        if ((buf[i] & 0xfe) != 0xe8)
            continue;

        const size_t gap = seen ? i - last : 4;
        seen = true;
        last = i;
        history = gap > 3 ? 0 : (history << (gap - 1)) & 7;
        if (history != 0 &&
            (!kHistoryAllows[history] || near_byte(buf[i + 4 - kHistoryByte[history]]))) {
            history = (history << 1) | 1;
            continue;
        }
        if (!near_byte(buf[i + 4])) {
            history = (history << 1) | 1;
            continue;
        }

        // The encoder stored operand + address of the next instruction. If
        // that sum's byte under the earlier skipped operand looked near, it
        // complemented the bits below and added again; one retry undoes it.
        // No second retry can be needed: in those bits the retry yields the
        // complement of the stored operand, whose byte there was checked
        // above not to be near.
        const uint32_t next_ip = start + static_cast<uint32_t>(i) + 5;
        uint32_t rel = load_le32(buf + i + 1) - next_ip;
        if (history != 0) {
            const unsigned bits = 8 * kHistoryByte[history];
            if (near_byte(static_cast<uint8_t>(rel >> (24 - bits))))
                rel = (rel ^ ((uint32_t{1} << (32 - bits)) - 1)) - next_ip;
        }
        // Keep 25 bits and sign-extend from bit 24, so the top byte is near.
        rel &= 0x01ffffff;
        if (rel & 0x01000000)
            rel |= 0xfe000000;
        store_le32(buf + i + 1, rel);
        i += 4;
    }
}

}  // namespace vireo
