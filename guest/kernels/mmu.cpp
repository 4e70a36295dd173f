// Page tables under validation: a new L1 is made, pinned and hooked in with
// mmu_update, pages are mapped with update_va_mapping, and the refusals
// Xen's rules give (a page table mapped writable, hypervisor memory, a bad
// table pinned, a double pin) come back with the same error codes.
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "mmu";

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4, A = 0x20, D = 0x40;

const uint64_t* g_p2m;
uint64_t g_base;  // VIRT_BASE: pfn = (va - base) >> 12

uint64_t mfn_of_va(uint64_t va) { return g_p2m[(va - g_base) >> 12]; }

long update_va(uint64_t va, uint64_t val, uint64_t flags = xen::UVMF_INVLPG)
{
    return hypercall(xen::HYPERVISOR_update_va_mapping, va, val, flags);
}

long mmu_update(uint64_t entry_maddr, uint64_t val)
{
    xen::mmu_update req{entry_maddr, val};
    uint32_t done = 0;
    long r = hypercall(xen::HYPERVISOR_mmu_update, ptr(&req), 1, ptr(&done), xen::DOMID_SELF);
    return r;
}

long mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2 = 0)
{
    xen::mmuext_op op{cmd, 0, arg1, arg2};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, xen::DOMID_SELF);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    g_p2m = reinterpret_cast<const uint64_t*>(si->mfn_list);
    g_base = 0xffffffff80000000;
    uint64_t l4_va = si->pt_base, l2_va = si->pt_base + 2 * 4096;
    uint64_t l2_mfn = mfn_of_va(l2_va);
    // The window ends on a 4 MiB boundary after the boot stack.
    uint64_t after = si->pt_base + si->nr_pt_frames * 4096 + 4096;
    uint64_t v_end = (after + (4ull << 20) - 1) & ~((4ull << 20) - 1);
    if (v_end - after < (512u << 10))
        v_end += 4ull << 20;
    uint64_t window_pages = (v_end - g_base) >> 12;
    check(si->nr_pages > window_pages + 4, "need pages beyond the window");

    // 1. A spare page in the padding becomes a new L1: zero it while it is
    //    writable, map it read-only, pin it, hook it into the L2.
    uint64_t spare_va = v_end - 4096;
    uint64_t spare_mfn = mfn_of_va(spare_va);
    __builtin_memset(reinterpret_cast<void*>(spare_va), 0, 4096);
    long r = mmuext(xen::MMUEXT_PIN_L1_TABLE, spare_mfn);
    check(r == -22, "pinning a page still mapped writable: %ld, expected -EINVAL", r);
    r = update_va(spare_va, (spare_mfn << 12) | P | U | A);
    check(r == 0, "remapping the spare page read-only: %ld", r);
    r = mmuext(xen::MMUEXT_PIN_L1_TABLE, spare_mfn);
    check(r == 0, "pinning the new L1: %ld", r);
    r = mmuext(xen::MMUEXT_PIN_L1_TABLE, spare_mfn);
    check(r == -22, "pinning it twice: %ld, expected -EINVAL", r);
    r = update_va(spare_va, (spare_mfn << 12) | P | RW | U | A);
    check(r == -16, "mapping a page table writable: %ld, expected -EBUSY", r);
    unsigned l2_index = (v_end >> 21) & 511;
    r = mmu_update((l2_mfn << 12) + l2_index * 8, (spare_mfn << 12) | P | RW | U | A);
    check(r == 0, "hooking the new L1 into the L2: %ld", r);

    // 2. Map a frame from beyond the window at two addresses; both see the
    //    same bytes.
    uint64_t data_mfn = g_p2m[window_pages + 2];
    r = update_va(v_end, (data_mfn << 12) | P | RW | U | A | D);
    check(r == 0, "mapping a data page: %ld", r);
    r = update_va(v_end + 4096, (data_mfn << 12) | P | U | A);
    check(r == 0, "mapping it again read-only: %ld", r);
    if (failures() == 0) {
        *reinterpret_cast<volatile uint64_t*>(v_end) = 0x1234abcd;
        check(*reinterpret_cast<volatile uint64_t*>(v_end + 4096) == 0x1234abcd, "alias does not match");
    }

    // 3. Refusals.
    r = update_va(v_end + 8192, (0x200ull << 12) | P | U | A);  // 2 MiB: the hypervisor's image
    check(r == -16, "mapping hypervisor memory: %ld, expected -EBUSY", r);
    r = update_va(0xffff830000000000ull, (data_mfn << 12) | P | U);
    check(r == -22, "update_va_mapping in the hypervisor's range: %ld, expected -EINVAL", r);
    r = mmuext(xen::MMUEXT_PIN_L4_TABLE, mfn_of_va(l4_va));
    check(r == -22, "pinning the pinned base table: %ld, expected -EINVAL", r);
    r = mmuext(xen::MMUEXT_UNPIN_TABLE, data_mfn);
    check(r == -22, "unpinning a page that is not pinned: %ld, expected -EINVAL", r);

    // A table full of garbage cannot be pinned: take another spare page.
    uint64_t junk_va = v_end - 2 * 4096, junk_mfn = mfn_of_va(junk_va);
    for (unsigned i = 0; i < 512; ++i)
        reinterpret_cast<uint64_t*>(junk_va)[i] = 0x7ffffffff000ull | P | RW;
    r = update_va(junk_va, (junk_mfn << 12) | P | U | A);
    check(r == 0, "remapping the junk page read-only: %ld", r);
    r = mmuext(xen::MMUEXT_PIN_L1_TABLE, junk_mfn);
    check(r == -1, "pinning a table of entries beyond the machine: %ld, expected -EPERM", r);
    r = mmuext(xen::MMUEXT_PIN_L2_TABLE, spare_mfn);
    check(r == -22, "pinning an L1 as an L2: %ld, expected -EINVAL", r);

    // 4. Tear down what was built: unhook, unpin, and the page is ordinary
    //    memory again (mappable writable).
    update_va(v_end, 0);
    update_va(v_end + 4096, 0);
    r = mmu_update((l2_mfn << 12) + l2_index * 8, 0);
    check(r == 0, "unhooking the L1: %ld", r);
    r = mmuext(xen::MMUEXT_UNPIN_TABLE, spare_mfn);
    check(r == 0, "unpinning the L1: %ld", r);
    r = update_va(spare_va, (spare_mfn << 12) | P | RW | U | A);
    check(r == 0, "the former L1 mapped writable again: %ld", r);
    r = mmuext(xen::MMUEXT_TLB_FLUSH_LOCAL, 0);
    check(r == 0, "TLB flush: %ld", r);
}
