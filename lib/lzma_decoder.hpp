// The LZMA layer of LZMA2: a range decoder driving adaptive bit models that
// choose between literals and matches. This decoder is single-call: the
// output buffer itself is the dictionary, so a match is checked only against
// what has been written there since the last dictionary reset.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

// lc literal context bits, lp literal position bits, pb position bits.
struct LzmaProps {
    uint8_t lc = 0, lp = 0, pb = 0;
};

// Decodes LZMA2's props byte, (pb * 5 + lp) * 9 + lc, which also requires
// lc + lp <= 4. False if the byte is out of range.
bool decode_lzma2_props(uint8_t byte, LzmaProps& out);

// Everything an LZMA stream carries from one LZMA2 chunk to the next: about
// 28 KiB, so it never lives on the hypervisor's stack.
class LzmaDecoder {
public:
    static constexpr unsigned kStates = 12;
    static constexpr unsigned kMaxPosStates = 16;  // 1 << pb, pb <= 4
    static constexpr unsigned kMaxLiteralCoders = 16;  // 1 << (lc + lp) in LZMA2

    void set_props(LzmaProps props) { m_props = props; }

    // Probabilities back to one half, the state machine and the four
    // repeated distances back to zero (an LZMA2 "state reset").
    void reset_state();

    // Decodes one LZMA2 chunk: exactly `in_len` compressed bytes into exactly
    // `out_len` bytes at out[pos]. Matches may reach back to out[dict_start].
    // The caller guarantees that out[pos, pos + out_len) is writable.
    Status decode_chunk(const uint8_t* in, size_t in_len, uint8_t* out, size_t dict_start, size_t pos,
                        size_t out_len, const char*& why);

    // Bit models: 11-bit probabilities that the next bit is 0.
    using Prob = uint16_t;

    // Match lengths 2..273: choice bits pick a 3-, 3- or 8-bit tree.
    struct LengthModel {
        Prob choice, choice2;
        Prob low[kMaxPosStates][8];
        Prob mid[kMaxPosStates][8];
        Prob high[256];
    };

private:
    LzmaProps m_props;
    uint32_t m_state = 0;
    uint32_t m_rep[4] = {};

    Prob m_is_match[kStates][kMaxPosStates];
    Prob m_is_rep[kStates];
    Prob m_is_rep0[kStates];
    Prob m_is_rep1[kStates];
    Prob m_is_rep2[kStates];
    Prob m_is_rep0_long[kStates][kMaxPosStates];
    Prob m_dist_slot[4][64];   // 6-bit slot, by min(length - 2, 3)
    Prob m_dist_special[115];  // reverse trees of slots 4..13 (index 0 unused)
    Prob m_dist_align[16];     // low 4 bits of slots 14..63
    LengthModel m_match_len;
    LengthModel m_rep_len;
    Prob m_literal[kMaxLiteralCoders][0x300];
};

}  // namespace vireo
