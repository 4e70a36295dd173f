// physdev_op (Xen's physdev.h): the sub-ops Vireo knows.
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint64_t PHYSDEVOP_eoi = 12;
inline constexpr uint64_t PHYSDEVOP_irq_status_query = 5;
inline constexpr uint64_t PHYSDEVOP_set_iopl = 6;
inline constexpr uint64_t PHYSDEVOP_set_iobitmap = 7;
inline constexpr uint64_t PHYSDEVOP_pirq_eoi_gmfn_v2 = 28;

struct physdev_set_iopl {
    uint32_t iopl;
};

}  // namespace xen
