// Writable page tables (VMASST_TYPE_writable_pagetables): the kernel makes
// itself a validated L1 table, mapped read-only, and writes its entries with
// the plain stores Linux uses on its PTEs (mov, xchg, lock bts/btr, lock
// andb at a byte inside the entry, cmpxchg). Each write faults into the
// hypervisor, which checks the new entry as mmu_update would and resumes
// the kernel past the instruction with its registers and flags set as the
// CPU would have. A hostile entry (a page table mapped writable, a frame
// the kernel does not own) comes back as a page fault to its own handler.
#include "abi/arch_x86_64.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"
#include "guest/lib/trap_stub.hpp"

using namespace guest;

const char* const guest::kTestName = "ptwr";

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4, A = 0x20, D = 0x40, G = 0x100, AVAIL9 = 0x200;

struct PageFault {
    unsigned count;
    uint64_t error, rip, cr2;
};
PageFault g_pf;
uint64_t g_resume;  // where the #PF handler sends the kernel back to
volatile xen::shared_info* g_shared;

}  // namespace

// The frame after RCX/R11 were popped: error RIP CS RFLAGS RSP SS.
extern "C" void on_page_fault(uint64_t* frame)
{
    ++g_pf.count;
    g_pf.error = frame[0];
    g_pf.rip = frame[1];
    g_pf.cr2 = g_shared->vcpu_info[0].arch.cr2;
    frame[1] = g_resume;
}

GUEST_TRAP_STUB(trap_pf, 14, 1, on_page_fault)

namespace {

const uint64_t* g_p2m;
uint64_t g_base;  // VIRT_BASE: pfn = (va - base) >> 12

uint64_t mfn_of_va(uint64_t va) { return g_p2m[(va - g_base) >> 12]; }

long update_va(uint64_t va, uint64_t val) { return hypercall(xen::HYPERVISOR_update_va_mapping, va, val, xen::UVMF_INVLPG); }

long mmu_update(uint64_t entry_maddr, uint64_t val)
{
    xen::mmu_update req{entry_maddr, val};
    return hypercall(xen::HYPERVISOR_mmu_update, ptr(&req), 1, 0, xen::DOMID_SELF);
}

long mmuext(uint32_t cmd, uint64_t arg1)
{
    xen::mmuext_op op{cmd, 0, arg1, 0};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, xen::DOMID_SELF);
}

uint64_t read(uint64_t* e) { return *reinterpret_cast<volatile uint64_t*>(e); }

// The stores, each one instruction of the form Linux uses.
void store(uint64_t* e, uint64_t v) { asm volatile("movq %1, %0" : "=m"(*e) : "r"(v) : "memory"); }

uint64_t exchange(uint64_t* e, uint64_t v)
{
    asm volatile("xchgq %0, %1" : "+r"(v), "+m"(*e) : : "memory");
    return v;
}

bool lock_btr_imm5(uint64_t* e)
{
    bool cf;
    asm volatile("lock btrq $5, %0\n setc %1" : "+m"(*e), "=q"(cf) : : "memory", "cc");
    return cf;
}

bool lock_bts_imm6(uint64_t* e)
{
    bool cf;
    asm volatile("lock btsq $6, %0\n setc %1" : "+m"(*e), "=q"(cf) : : "memory", "cc");
    return cf;
}

bool lock_bts_reg(uint64_t* e, uint64_t bit)
{
    bool cf;
    asm volatile("lock btsq %2, %0\n setc %1" : "+m"(*e), "=q"(cf) : "r"(bit) : "memory", "cc");
    return cf;
}

// clear_bit(9) as Linux writes it for a constant bit: a byte-sized and on
// the byte that holds it (byte 1 of the entry).
void lock_andb_byte1(uint64_t* e)
{
    asm volatile("lock andb $0xfd, %0" : "+m"(reinterpret_cast<uint8_t*>(e)[1]) : : "memory");
}

// Returns ZF; expected gets what the entry held.
bool cmpxchg(uint64_t* e, uint64_t& expected, uint64_t desired)
{
    bool zf;
    asm volatile("lock cmpxchgq %3, %1\n setz %2"
                 : "+a"(expected), "+m"(*e), "=q"(zf)
                 : "r"(desired)
                 : "memory", "cc");
    return zf;
}

// A store that must fault: the handler resumes after it.
bool store_faults(uint64_t* e, uint64_t v)
{
    unsigned before = g_pf.count;
    asm volatile("lea 1f(%%rip), %%rax\n mov %%rax, %0\n movq %2, %1\n1:\n"
                 : "=m"(g_resume), "=m"(*e)
                 : "r"(v)
                 : "rax", "memory");
    return g_pf.count == before + 1;
}

bool load_faults(uint64_t va)
{
    unsigned before = g_pf.count;
    asm volatile("lea 1f(%%rip), %%rax\n mov %%rax, %0\n mov (%1), %%rax\n1:\n"
                 : "=m"(g_resume)
                 : "r"(va)
                 : "rax", "memory");
    return g_pf.count == before + 1;
}

// Equal but for what the CPU may set on its own (accessed, dirty) and the
// global bit Xen adds to mappings with the user bit.
bool same(uint64_t a, uint64_t b) { return ((a ^ b) & ~(A | D | G)) == 0; }

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    g_shared = map_shared_info(si);
    const xen::trap_info traps[] = {{14, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(trap_pf)},
                                    {0, 0, 0, 0, 0}};
    long r = hypercall(xen::HYPERVISOR_set_trap_table, ptr(traps));
    check(r == 0, "set_trap_table: %ld", r);

    // A spare page in the padding after the boot stack becomes an L1 (as in
    // the mmu kernel): zeroed, mapped read-only, pinned, hooked into the L2
    // for the 2 MiB at v_end. Entry i then maps v_end + i pages.
    g_p2m = reinterpret_cast<const uint64_t*>(si->mfn_list);
    g_base = 0xffffffff80000000;
    uint64_t l2_mfn = mfn_of_va(si->pt_base + 2 * 4096);
    uint64_t after = si->pt_base + si->nr_pt_frames * 4096 + 4096;
    uint64_t v_end = (after + (4ull << 20) - 1) & ~((4ull << 20) - 1);
    if (v_end - after < (512u << 10))
        v_end += 4ull << 20;
    uint64_t window_pages = (v_end - g_base) >> 12;
    check(si->nr_pages > window_pages + 4, "need pages beyond the window");
    uint64_t table_va = v_end - 4096, table_mfn = mfn_of_va(table_va);
    __builtin_memset(reinterpret_cast<void*>(table_va), 0, 4096);
    r = update_va(table_va, (table_mfn << 12) | P | U | A);
    check(r == 0, "mapping the new L1 read-only: %ld", r);
    r = mmuext(xen::MMUEXT_PIN_L1_TABLE, table_mfn);
    check(r == 0, "pinning the new L1: %ld", r);
    unsigned l2_index = (v_end >> 21) & 511;
    r = mmu_update((l2_mfn << 12) + l2_index * 8, (table_mfn << 12) | P | RW | U | A);
    check(r == 0, "hooking the L1 into the L2: %ld", r);
    if (failures())
        return;

    r = hypercall(xen::HYPERVISOR_vm_assist, xen::VMASST_CMD_enable, xen::VMASST_TYPE_writable_pagetables);
    check(r == 0, "enabling writable page tables: %ld", r);
    uint64_t* e0 = reinterpret_cast<uint64_t*>(table_va);
    uint64_t* e1 = e0 + 1;
    uint64_t data_mfn = g_p2m[window_pages + 2];
    uint64_t data = data_mfn << 12;

    // 1. mov: a writable mapping at v_end, a read-only alias at v_end + 4096.
    store(e0, data | P | RW | U | A | D);
    check(same(read(e0), data | P | RW | U | A | D), "mov: entry %lx", read(e0));
    store(e1, data | P | U | A);
    check(same(read(e1), data | P | U | A), "mov: alias entry %lx", read(e1));
    *reinterpret_cast<volatile uint64_t*>(v_end) = 0x5a5a0000c0ffee;
    uint64_t seen = *reinterpret_cast<volatile uint64_t*>(v_end + 4096);
    check(seen == 0x5a5a0000c0ffee, "the page through the new entries reads %lx", seen);
    print("ptwr: mov installed two entries; the page reads back %lx through them\n", seen);

    // 2. xchg clears the entry and returns what it held; the page is gone.
    uint64_t old = exchange(e0, 0);
    check(same(old, data | P | RW | U | A | D), "xchg returned %lx", old);
    check(read(e0) == 0, "xchg left %lx", read(e0));
    mmuext(xen::MMUEXT_INVLPG_LOCAL, v_end);
    check(load_faults(v_end), "reading the cleared mapping did not fault");
    check(g_pf.error == 0 && g_pf.cr2 == v_end, "cleared mapping: error %lx cr2 %lx", g_pf.error, g_pf.cr2);
    print("ptwr: xchg cleared the entry (it held %lx); reading the page faults\n", old);

    // 3. Bit operations, their CF: the dirty bit set, the accessed bit
    //    cleared, a software bit set from a register offset.
    store(e0, data | P | RW | U | A);
    bool cf = lock_bts_imm6(e0);
    check(!cf && (read(e0) & D), "lock bts $6: cf %d, entry %lx", cf, read(e0));
    cf = lock_btr_imm5(e0);
    check(cf && !(read(e0) & A), "lock btr $5: cf %d, entry %lx", cf, read(e0));
    cf = lock_bts_reg(e0, 9);
    check(!cf && (read(e0) & AVAIL9), "lock bts %%reg (9): cf %d, entry %lx", cf, read(e0));
    cf = lock_bts_reg(e0, 9);
    check(cf, "lock bts %%reg (9) again: cf %d", cf);
    print("ptwr: lock bts/btr set and cleared bits with CF as the CPU sets it\n");

    // 4. lock andb on byte 1 clears bit 9 and nothing else.
    uint64_t before = read(e0);
    lock_andb_byte1(e0);
    check(read(e0) == (before & ~AVAIL9), "lock andb on byte 1: %lx, expected %lx", read(e0), before & ~AVAIL9);
    print("ptwr: lock andb at byte 1 cleared bit 9\n");

    // 5. cmpxchg: a stale expectation fails and loads the entry; the right
    //    one swaps in a read-only mapping.
    uint64_t current = read(e0), expected = current ^ P;
    bool zf = cmpxchg(e0, expected, 0);
    check(!zf && expected == current && read(e0) == current, "failed cmpxchg: zf %d, rax %lx, entry %lx", zf,
          expected, read(e0));
    expected = current;
    zf = cmpxchg(e0, expected, data | P | U | A);
    check(zf && same(read(e0), data | P | U | A), "cmpxchg: zf %d, entry %lx", zf, read(e0));
    print("ptwr: cmpxchg failed on a stale value and succeeded on the current one\n");

    // 6. Hostile entries: the L1 itself writable, the hypervisor's memory.
    //    Each must come back as a write protection fault at the entry.
    const uint64_t hostile[] = {(table_mfn << 12) | P | RW | U | A, (0x200ull << 12) | P | U | A};
    for (uint64_t h : hostile) {
        uint64_t was = read(e1);
        check(store_faults(e1, h), "storing %lx did not fault", h);
        check(g_pf.error == 3 && g_pf.cr2 == reinterpret_cast<uint64_t>(e1),
              "storing %lx: error %lx cr2 %lx", h, g_pf.error, g_pf.cr2);
        check(read(e1) == was, "storing %lx changed the entry to %lx", h, read(e1));
    }
    print("ptwr: hostile entries came back as page faults (%u in all)\n", g_pf.count);

    // Tear down: empty the table, unhook and unpin it.
    store(e0, 0);
    store(e1, 0);
    r = mmu_update((l2_mfn << 12) + l2_index * 8, 0);
    check(r == 0, "unhooking the L1: %ld", r);
    r = mmuext(xen::MMUEXT_UNPIN_TABLE, table_mfn);
    check(r == 0, "unpinning the L1: %ld", r);
    r = mmuext(xen::MMUEXT_TLB_FLUSH_LOCAL, 0);
    check(r == 0, "TLB flush: %ld", r);
}
