// Timing a short operation in guest TSC cycles: the best (lowest) average
// of 5 rounds, which filters out the other work sharing the CPU.
#pragma once

#include <stdint.h>

#include "guest/lib/time.hpp"

namespace guest {

template <typename Fn>
uint64_t best_of(unsigned per_round, Fn&& fn)
{
    constexpr unsigned kRounds = 5;
    uint64_t best = ~uint64_t{0};
    for (unsigned round = 0; round < kRounds; ++round) {
        uint64_t t0 = rdtsc();
        for (unsigned i = 0; i < per_round; ++i)
            fn(i);
        uint64_t per = (rdtsc() - t0) / per_round;
        best = per < best ? per : best;
    }
    return best;
}

}  // namespace guest
