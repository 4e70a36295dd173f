#include "hv/core/mmio_ro.hpp"

namespace vireo {
namespace {

// A few ranges per device with MSI-X (its table and its PBA, which may
// share a page); a machine with more such devices than this is unusual.
constexpr unsigned kMaxRanges = 64;

struct Range {
    uint64_t first, last;
};
Range g_ranges[kMaxRanges];
unsigned g_count = 0;

}  // namespace

Status mmio_ro_add(uint64_t first_mfn, uint64_t last_mfn)
{
    if (first_mfn > last_mfn)
        return Status::INVALID;
    for (unsigned i = 0; i < g_count; ++i) {
        Range& r = g_ranges[i];
        if (first_mfn >= r.first && last_mfn <= r.last)
            return Status::OK;  // already covered (a device announced again)
    }
    if (g_count == kMaxRanges)
        return Status::NO_MEMORY;
    g_ranges[g_count++] = {first_mfn, last_mfn};
    return Status::OK;
}

bool mmio_ro_contains(uint64_t mfn)
{
    for (unsigned i = 0; i < g_count; ++i)
        if (mfn >= g_ranges[i].first && mfn <= g_ranges[i].last)
            return true;
    return false;
}

void mmio_ro_reset() { g_count = 0; }

}  // namespace vireo
