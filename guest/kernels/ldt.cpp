// A local descriptor table (MMUEXT_SET_LDT): a page of descriptors is
// mapped read-only, named as the LDT, and a selector with TI=1 loaded into
// FS reads through the data segment it describes (the base comes from the
// LDT). Then what Xen 4.17 answers for the bad cases: a misaligned
// address, too many entries, an address in the hole or the hypervisor's
// range (each -EINVAL at set_ldt); an LDT page that is not mapped, mapped
// writable, or holding a descriptor that could reach ring 0 (set_ldt
// takes it, and using it is a page fault at the LDT's address); a
// descriptor page in use cannot be mapped writable, and can again once
// another LDT replaced it. Every answer is printed as "what: result" for
// the system tests, which hold Vireo and Xen to the same lines.
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/fault.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "ldt";

namespace {

constexpr long kEBUSY = -16, kEINVAL = -22;
// Descriptors (SDM vol. 3A 3.4.5): a flat 4 GiB read/write data segment,
// accessed, with DPL 0 (the hypervisor raises it to 3) and base kDataBase.
constexpr uint64_t kDataBase = 0x1000;
constexpr uint64_t kDataDpl0 = 0x00cf93000000ffffull | ((kDataBase & 0xffffff) << 16);
constexpr uint64_t kDataDpl3 = kDataDpl0 | (uint64_t{3} << 45);
constexpr uint64_t kCallGateToHypervisor = 0x0000ec00e0081000ull;  // to the hypervisor's ring-0 CS
constexpr uint16_t kLdtData = (1 << 3) | 4 | 3;   // LDT entry 1, RPL 3
constexpr uint16_t kLdtFirst = (0 << 3) | 4 | 3;  // LDT entry 0, RPL 3
constexpr uint64_t kNonCanonical = 0x0000800000000000ull;
constexpr uint64_t kHypervisorVa = 0xffff830000000000ull;
constexpr uint64_t kUnmappedVa = 0x0000100000000000ull;

volatile uint64_t g_marker = 0x1d7c0ffee;

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, expected %ld", what, r, expected);
}

long set_ldt(uint64_t va, uint64_t entries) { return mmuext(xen::MMUEXT_SET_LDT, va, entries); }

// Loads FS with `selector` and reads through it at `offset`, then puts the
// null selector back.
struct Load {
    uint16_t selector;
    uint64_t offset;
    uint64_t value;
};
void load_fs_and_read(void* arg)
{
    auto* l = static_cast<Load*>(arg);
    uint64_t v;
    asm volatile("mov %w1, %%fs\n\t"
                 "mov %%fs:(%2), %0\n\t"
                 : "=&r"(v)
                 : "r"(l->selector), "r"(l->offset)
                 : "memory");
    asm volatile("mov %w0, %%fs" : : "r"(0));
    l->value = v;
}

// Uses an LDT selector whose page cannot be used: a page fault at the
// LDT's linear address, as Xen gives it.
void expect_page_fault(const char* what, uint64_t ldt_va, uint16_t selector)
{
    Load l{selector, 0, 0};
    bool faulted = fault_probe(load_fs_and_read, &l);
    const Fault& f = last_fault();
    uint64_t at = ldt_va + (selector >> 3) * 8;
    bool ok = faulted && f.vector == 14 && f.cr2 == at;
    if (faulted)
        print("%s: vector %u, error %lx, cr2 %s\n", what, f.vector, f.error, f.cr2 == at ? "the LDT entry" : "elsewhere");
    else
        print("%s: no fault\n", what);
    check(ok, "%s: faulted %d vector %u cr2 %lx, expected a page fault at %lx", what, faulted, f.vector, f.cr2, at);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    mm_init(si);
    long r = fault_handlers_install();
    check(r == 0, "set_trap_table: %ld", r);
    if (failures())
        return;

    // The LDT page: entry 1 a DPL-0 data segment, mapped read-only.
    uint64_t ldt = spare_mfn(0), ldt_va = padding_va(5);
    const unsigned idx[] = {1};
    const uint64_t descs[] = {kDataDpl0};
    check(fill_frame(ldt, idx, descs, 1) == 0, "filling the LDT page");
    check(update_va(ldt_va, (ldt << 12) | kPteRo) == 0, "mapping the LDT page read-only");
    expect("set_ldt with 2 entries", set_ldt(ldt_va, 2), 0);

    // The selector reads through the LDT's segment: FS's base is kDataBase.
    Load l{kLdtData, reinterpret_cast<uint64_t>(&g_marker) - kDataBase, 0};
    bool faulted = fault_probe(load_fs_and_read, &l);
    print("reading through an LDT selector: %s\n",
          faulted ? "fault" : l.value == g_marker ? "the marker" : "something else");
    check(!faulted && l.value == g_marker, "LDT read: faulted %d (vector %u), %lx", faulted, last_fault().vector,
          l.value);
    uint32_t limit = 0, rights = 0;
    bool lsl_ok = false;
    asm volatile("lsl %w2, %0\n\tsetz %b1" : "=r"(limit), "=q"(lsl_ok) : "r"(kLdtData));
    asm volatile("lar %w1, %0" : "=r"(rights) : "r"(kLdtData));
    print("lsl: %s, limit %x, lar: DPL %u\n", lsl_ok ? "ok" : "refused", limit, (rights >> 13) & 3);
    check(lsl_ok && limit == 0xffffffff && ((rights >> 13) & 3) == 3, "lsl %d limit %x lar %x", lsl_ok, limit, rights);
    uint64_t stored = reinterpret_cast<const volatile uint64_t*>(ldt_va)[1] & ~(uint64_t{1} << 40);  // accessed
    print("the descriptor as stored: %s\n", stored == (kDataDpl3 & ~(uint64_t{1} << 40)) ? "DPL raised to 3" : "other");
    check(stored == (kDataDpl3 & ~(uint64_t{1} << 40)), "stored descriptor %lx", stored);
    long w = 0;
    expect("mapping the LDT page writable", scratch_open(ldt, &w) ? 0 : w, kEBUSY);
    scratch_close();

    // Bad arguments.
    expect("set_ldt at a misaligned address", set_ldt(ldt_va + 8, 2), kEINVAL);
    expect("set_ldt with 8193 entries", set_ldt(ldt_va, 8193), kEINVAL);
    expect("set_ldt with 8192 entries", set_ldt(ldt_va, 8192), 0);
    expect("set_ldt at a non-canonical address", set_ldt(kNonCanonical, 1), kEINVAL);
    expect("set_ldt in the hypervisor's range", set_ldt(kHypervisorVa, 1), kEINVAL);
    expect("set_ldt with no entries at a bad address", set_ldt(kNonCanonical + 8, 0), 0);

    // Pages that cannot be used: accepted by set_ldt, a page fault in use.
    expect("set_ldt where nothing is mapped", set_ldt(kUnmappedVa, 1), 0);
    expect_page_fault("an LDT selector where nothing is mapped", kUnmappedVa, kLdtFirst);
    uint64_t writable_va = padding_va(6);
    expect("set_ldt on a page mapped writable", set_ldt(writable_va, 2), 0);
    expect_page_fault("an LDT selector on a page mapped writable", writable_va, kLdtData);
    uint64_t bad = spare_mfn(1), bad_va = padding_va(7);
    const unsigned bad_idx[] = {0, 1};
    const uint64_t bad_descs[] = {kDataDpl0, kCallGateToHypervisor};
    check(fill_frame(bad, bad_idx, bad_descs, 2) == 0, "filling the bad LDT page");
    check(update_va(bad_va, (bad << 12) | kPteRo) == 0, "mapping the bad LDT page read-only");
    expect("set_ldt on a page with a gate into the hypervisor", set_ldt(bad_va, 2), 0);
    expect_page_fault("an LDT selector on that page", bad_va, kLdtFirst);

    // The first LDT was replaced: its page is an ordinary page again.
    expect("mapping the old LDT page writable", scratch_open(ldt, &w) ? 0 : w, 0);
    scratch_close();
    expect("set_ldt back to none", set_ldt(0, 0), 0);
}
