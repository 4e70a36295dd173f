// Page-table hypercalls (xen/include/public/xen.h): mmu_update, mmuext_op,
// update_va_mapping.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint64_t MMU_NORMAL_PT_UPDATE = 0;
inline constexpr uint64_t MMU_MACHPHYS_UPDATE = 1;
inline constexpr uint64_t MMU_PT_UPDATE_PRESERVE_AD = 2;
inline constexpr uint64_t MMU_PT_UPDATE_NO_TRANSLATE = 3;

struct mmu_update {
    uint64_t ptr;  // machine address of the entry | MMU_* command in bits 0-1
    uint64_t val;
};
static_assert(sizeof(mmu_update) == 16);

inline constexpr uint32_t MMUEXT_PIN_L1_TABLE = 0;
inline constexpr uint32_t MMUEXT_PIN_L2_TABLE = 1;
inline constexpr uint32_t MMUEXT_PIN_L3_TABLE = 2;
inline constexpr uint32_t MMUEXT_PIN_L4_TABLE = 3;
inline constexpr uint32_t MMUEXT_UNPIN_TABLE = 4;
inline constexpr uint32_t MMUEXT_NEW_BASEPTR = 5;
inline constexpr uint32_t MMUEXT_TLB_FLUSH_LOCAL = 6;
inline constexpr uint32_t MMUEXT_INVLPG_LOCAL = 7;
inline constexpr uint32_t MMUEXT_TLB_FLUSH_MULTI = 8;
inline constexpr uint32_t MMUEXT_INVLPG_MULTI = 9;
inline constexpr uint32_t MMUEXT_TLB_FLUSH_ALL = 10;
inline constexpr uint32_t MMUEXT_INVLPG_ALL = 11;
inline constexpr uint32_t MMUEXT_FLUSH_CACHE = 12;
inline constexpr uint32_t MMUEXT_SET_LDT = 13;
inline constexpr uint32_t MMUEXT_NEW_USER_BASEPTR = 15;
inline constexpr uint32_t MMUEXT_CLEAR_PAGE = 16;
inline constexpr uint32_t MMUEXT_COPY_PAGE = 17;
inline constexpr uint32_t MMUEXT_FLUSH_CACHE_GLOBAL = 18;
inline constexpr uint32_t MMUEXT_MARK_SUPER = 19;
inline constexpr uint32_t MMUEXT_UNMARK_SUPER = 20;

struct mmuext_op {
    uint32_t cmd;
    uint32_t pad;
    uint64_t arg1;  // mfn, or linear_addr
    uint64_t arg2;  // nr_ents, vcpumask (guest handle), or src_mfn
};
static_assert(sizeof(mmuext_op) == 24);
static_assert(offsetof(mmuext_op, arg1) == 8);
static_assert(offsetof(mmuext_op, arg2) == 16);

inline constexpr uint64_t UVMF_NONE = 0;
inline constexpr uint64_t UVMF_TLB_FLUSH = 1;
inline constexpr uint64_t UVMF_INVLPG = 2;
inline constexpr uint64_t UVMF_FLUSHTYPE_MASK = 3;
inline constexpr uint64_t UVMF_MULTI = 0;
inline constexpr uint64_t UVMF_LOCAL = 0;
inline constexpr uint64_t UVMF_ALL = 4;

// mmu_update/mmuext_op continuation: set in count while a batch resumes.
inline constexpr uint32_t MMU_UPDATE_PREEMPTED = 1u << 31;

}  // namespace xen
