// LZMA symbol decoding. The model follows Igor Pavlov's LZMA specification
// (lzma-specification.txt in the LZMA SDK): a 12-state machine remembers
// whether the last symbols were literals, matches or repeats; every binary
// decision has its own adaptive probability; four recent distances can be
// repeated cheaply.
//
// Untrusted input, single call: the range decoder reads nothing past the
// chunk (it pads with zeros and the overrun is reported at the end of the
// chunk), every match distance is checked against the bytes written since
// the last dictionary reset, and every length against the chunk's end.
// This is the innermost loop of booting a compressed kernel, so the coder
// lives in locals and every helper is inlined.
#include "lib/lzma_decoder.hpp"

namespace vireo {
namespace {

using Prob = LzmaDecoder::Prob;

constexpr uint32_t kRangeTop = uint32_t{1} << 24;  // renormalise below this
constexpr unsigned kProbBits = 11;
constexpr Prob kProbHalf = 1u << (kProbBits - 1);
constexpr unsigned kMoveBits = 5;  // adaptation speed
constexpr size_t kRangeInitBytes = 5;

constexpr unsigned kLiteralStates = 7;  // states 0..6: the previous symbol was a literal
constexpr unsigned kAlignBits = 4;
constexpr unsigned kEndSimpleSlot = 14;  // slots below this use the dist_special trees

#define VIREO_INLINE [[gnu::always_inline]] inline

struct RangeDecoder {
    const uint8_t* in;
    size_t pos;
    size_t len;
    uint32_t range;
    uint32_t code;

    // Past the end of the chunk the coder reads zeros; decode_chunk refuses
    // the chunk afterwards because pos != len.
    VIREO_INLINE void normalize()
    {
        if (range < kRangeTop) {
            range <<= 8;
            code = (code << 8) | (pos < len ? in[pos] : 0u);
            ++pos;
        }
    }

    VIREO_INLINE unsigned bit(Prob& p)
    {
        normalize();
        uint32_t bound = (range >> kProbBits) * p;
        if (code < bound) {
            range = bound;
            p = static_cast<Prob>(p + (((1u << kProbBits) - p) >> kMoveBits));
            return 0;
        }
        range -= bound;
        code -= bound;
        p = static_cast<Prob>(p - (p >> kMoveBits));
        return 1;
    }

    // A `bits`-wide number, most significant bit first; probs[1..2^bits).
    template <unsigned bits>
    VIREO_INLINE unsigned tree(Prob* probs)
    {
        unsigned m = 1;
        for (unsigned i = 0; i < bits; ++i)
            m = (m << 1) | bit(probs[m]);
        return m - (1u << bits);
    }

    // Least significant bit first, as distance low bits are coded.
    VIREO_INLINE unsigned reverse_tree(Prob* probs, unsigned bits)
    {
        unsigned m = 1, value = 0;
        for (unsigned i = 0; i < bits; ++i) {
            unsigned b = bit(probs[m]);
            m = (m << 1) | b;
            value |= b << i;
        }
        return value;
    }

    // Bits with a fixed probability of one half.
    uint32_t direct(unsigned bits)
    {
        uint32_t value = 0;
        do {
            normalize();
            range >>= 1;
            uint32_t b = code >= range;
            code -= range & (0u - b);
            value = (value << 1) | b;
        } while (--bits);
        return value;
    }
};

VIREO_INLINE unsigned decode_length(RangeDecoder& rc, LzmaDecoder::LengthModel& m, unsigned pos_state)
{
    if (rc.bit(m.choice) == 0)
        return 2 + rc.tree<3>(m.low[pos_state]);
    if (rc.bit(m.choice2) == 0)
        return 2 + 8 + rc.tree<3>(m.mid[pos_state]);
    return 2 + 16 + rc.tree<8>(m.high);
}

template <size_t N>
void fill_half(Prob (&a)[N])
{
    for (Prob& p : a)
        p = kProbHalf;
}

template <size_t N, size_t M>
void fill_half(Prob (&a)[N][M])
{
    for (auto& row : a)
        fill_half(row);
}

void reset_length(LzmaDecoder::LengthModel& m)
{
    m.choice = m.choice2 = kProbHalf;
    fill_half(m.low);
    fill_half(m.mid);
    fill_half(m.high);
}

uint32_t be32(const uint8_t* p)
{
    return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | uint32_t{p[3]};
}

Status fail(const char*& why, const char* what)
{
    why = what;
    return Status::INVALID;
}

}  // namespace

bool decode_lzma2_props(uint8_t byte, LzmaProps& out)
{
    if (byte >= 9 * 5 * 5)
        return false;
    out.lc = byte % 9;
    out.lp = (byte / 9) % 5;
    out.pb = byte / 45;
    return out.lc + out.lp <= 4;
}

void LzmaDecoder::reset_state()
{
    m_state = 0;
    m_rep[0] = m_rep[1] = m_rep[2] = m_rep[3] = 0;
    fill_half(m_is_match);
    fill_half(m_is_rep);
    fill_half(m_is_rep0);
    fill_half(m_is_rep1);
    fill_half(m_is_rep2);
    fill_half(m_is_rep0_long);
    fill_half(m_dist_slot);
    fill_half(m_dist_special);
    fill_half(m_dist_align);
    reset_length(m_match_len);
    reset_length(m_rep_len);
    fill_half(m_literal);
}

Status LzmaDecoder::decode_chunk(const uint8_t* in, size_t in_len, uint8_t* out, size_t dict_start, size_t pos,
                                 size_t out_len, const char*& why)
{
    // The literal coder index below relies on lc + lp <= 4.
    if (m_props.lc + m_props.lp > 4 || m_props.pb > 4)
        return fail(why, "LZMA properties out of range");
    if (in_len < kRangeInitBytes || in[0] != 0)
        return fail(why, "LZMA chunk does not start with a range coder header");

    RangeDecoder rc{in, kRangeInitBytes, in_len, 0xffffffffu, be32(in + 1)};
    const size_t end = pos + out_len;
    const unsigned lc = m_props.lc;
    const size_t lp_mask = (size_t{1} << m_props.lp) - 1;
    const size_t pb_mask = (size_t{1} << m_props.pb) - 1;
    uint32_t state = m_state;
    uint32_t rep0 = m_rep[0], rep1 = m_rep[1], rep2 = m_rep[2], rep3 = m_rep[3];

    while (pos < end) {
        const size_t filled = pos - dict_start;  // what a match may reach back over
        const unsigned pos_state = static_cast<unsigned>(filled & pb_mask);

        if (rc.bit(m_is_match[state][pos_state]) == 0) {
            unsigned prev = filled ? out[pos - 1] : 0;
            Prob* probs = m_literal[((filled & lp_mask) << lc) + (prev >> (8 - lc))];
            unsigned sym = 1;
            if (state >= kLiteralStates) {
                // After a match the literal is coded relative to the byte the
                // match would have produced next, until the two first differ.
                if (rep0 >= filled)
                    return fail(why, "LZMA literal refers beyond the dictionary");
                unsigned match = out[pos - rep0 - 1];
                do {
                    unsigned match_bit = (match >> 7) & 1;
                    match <<= 1;
                    unsigned b = rc.bit(probs[0x100 + (match_bit << 8) + sym]);
                    sym = (sym << 1) | b;
                    if (b != match_bit)
                        break;
                } while (sym < 0x100);
            }
            while (sym < 0x100)
                sym = (sym << 1) | rc.bit(probs[sym]);
            out[pos++] = static_cast<uint8_t>(sym);
            state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
            continue;
        }

        unsigned len;
        if (rc.bit(m_is_rep[state]) == 0) {
            // A new distance: it pushes the others down the list.
            len = decode_length(rc, m_match_len, pos_state);
            state = state < kLiteralStates ? 7 : 10;
            unsigned len_state = len < 6 ? len - 2 : 3;
            unsigned slot = rc.tree<6>(m_dist_slot[len_state]);
            uint32_t dist = slot;
            if (slot >= 4) {
                unsigned direct_bits = (slot >> 1) - 1;
                dist = (2 | (slot & 1)) << direct_bits;
                if (slot < kEndSimpleSlot) {
                    dist += rc.reverse_tree(m_dist_special + dist - slot, direct_bits);
                } else {
                    dist += rc.direct(direct_bits - kAlignBits) << kAlignBits;
                    dist += rc.reverse_tree(m_dist_align, kAlignBits);
                }
            }
            rep3 = rep2;
            rep2 = rep1;
            rep1 = rep0;
            rep0 = dist;  // LZMA's end marker (all ones) fails the check below
        } else if (rc.bit(m_is_rep0[state]) == 0) {
            if (rc.bit(m_is_rep0_long[state][pos_state]) == 0) {
                // "Short rep": one byte from the last distance.
                if (rep0 >= filled)
                    return fail(why, "LZMA repeat refers beyond the dictionary");
                state = state < kLiteralStates ? 9 : 11;
                out[pos] = out[pos - rep0 - 1];
                ++pos;
                continue;
            }
            len = decode_length(rc, m_rep_len, pos_state);
            state = state < kLiteralStates ? 8 : 11;
        } else {
            // Repeat an older distance, moving it to the front.
            uint32_t dist;
            if (rc.bit(m_is_rep1[state]) == 0) {
                dist = rep1;
            } else {
                if (rc.bit(m_is_rep2[state]) == 0) {
                    dist = rep2;
                } else {
                    dist = rep3;
                    rep3 = rep2;
                }
                rep2 = rep1;
            }
            rep1 = rep0;
            rep0 = dist;
            len = decode_length(rc, m_rep_len, pos_state);
            state = state < kLiteralStates ? 8 : 11;
        }

        if (rep0 >= filled)
            return fail(why, "LZMA match refers beyond the dictionary");
        if (len > end - pos)
            return fail(why, "LZMA match runs past the end of its chunk");
        // Byte by byte: source and destination overlap when rep0 < len.
        const uint8_t* src = out + pos - rep0 - 1;
        uint8_t* dst = out + pos;
        for (unsigned i = 0; i < len; ++i)
            dst[i] = src[i];
        pos += len;
    }

    // The encoder flushed its whole low register: a well-formed chunk ends
    // exactly at its last byte with nothing left in the code register.
    rc.normalize();
    if (rc.pos != in_len || rc.code != 0)
        return fail(why, "LZMA chunk's data does not match its compressed size");
    m_state = state;
    m_rep[0] = rep0;
    m_rep[1] = rep1;
    m_rep[2] = rep2;
    m_rep[3] = rep3;
    return Status::OK;
}

}  // namespace vireo
