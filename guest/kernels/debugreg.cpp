// Hardware breakpoints of a PV guest: set_debugreg arms a data write
// breakpoint (DR0 + DR7), a store to the watched word raises #DB, which
// goes to the guest's vector-1 handler right after the store, where
// get_debugreg(6) shows B0. A read, a store next to it and the hypervisor
// itself writing the word (XENVER_extraversion into it: a #DB in the
// hypervisor, ignored there as on Xen) do not reach the guest. DR6 keeps
// B0 until the guest clears it; with DR7 cleared the store is silent.
#include "abi/arch_x86_64.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/trap_stub.hpp"

using namespace guest;

const char* const guest::kTestName = "debugreg";

// xen_extraversion_t; the watched word is its first (named in assembly).
extern "C" {
alignas(16) char g_buffer[16];
}

namespace {

struct Hit {
    unsigned count;
    uint64_t rip, dr6;
};
Hit g_hit;
volatile uint32_t g_other;

long set_debugreg(unsigned reg, uint64_t value) { return hypercall(xen::HYPERVISOR_set_debugreg, reg, value); }
uint64_t get_debugreg(unsigned reg) { return static_cast<uint64_t>(hypercall(xen::HYPERVISOR_get_debugreg, reg)); }

}  // namespace

// The #DB handler's C part, with [RIP CS RFLAGS RSP SS] (a trap: RIP is the
// instruction after the one that hit).
extern "C" void on_debug_trap(const uint64_t* frame)
{
    ++g_hit.count;
    g_hit.rip = frame[0];
    g_hit.dr6 = get_debugreg(6);
}

GUEST_TRAP_STUB(debug_trap, 1, 0, on_debug_trap)

namespace {

// Stores to the watched word; returns the address after the store.
uint64_t store_watched(uint32_t value)
{
    uint64_t after;
    asm volatile("movl %1, g_buffer(%%rip)\n1: lea 1b(%%rip), %0" : "=r"(after) : "r"(value) : "memory");
    return after;
}

void expect_value(const char* what, uint64_t got, uint64_t want)
{
    print("%s: %lx\n", what, got);
    check(got == want, "%s: %lx, expected %lx", what, got, want);
}

}  // namespace

void guest::kernel_main(const xen::start_info*)
{
    const xen::trap_info table[] = {{1, 0, xen::FLAT_KERNEL_CS, 0, reinterpret_cast<uint64_t>(debug_trap)},
                                    {0, 0, 0, 0, 0}};
    check(hypercall(xen::HYPERVISOR_set_trap_table, ptr(table)) == 0, "set_trap_table");
    expect_value("dr6 at start", get_debugreg(6), 0xffff0ff0);
    expect_value("dr7 at start", get_debugreg(7), 0x400);

    // DR0 = the word, DR7: L0, R/W0 = 01 (data writes), LEN0 = 11 (4 bytes).
    uint64_t watched = reinterpret_cast<uint64_t>(g_buffer);
    check(set_debugreg(0, watched) == 0, "set_debugreg 0");
    check(set_debugreg(7, 0x000d0001) == 0, "set_debugreg 7");
    expect_value("dr7 armed", get_debugreg(7), 0x000d0401);

    uint64_t after = store_watched(42);
    print("a store to the watched word: %u #DB, at the next instruction: %s, dr6 %lx\n", g_hit.count,
          g_hit.rip == after ? "yes" : "no", g_hit.dr6);
    check(g_hit.count == 1 && g_hit.rip == after && (g_hit.dr6 & 1), "store: %u hits, rip %lx (want %lx), dr6 %lx",
          g_hit.count, g_hit.rip, after, g_hit.dr6);
    check(*reinterpret_cast<volatile uint32_t*>(g_buffer) == 42, "the store did not happen");

    uint32_t read = *reinterpret_cast<volatile uint32_t*>(g_buffer);
    g_other = read;
    char version[16];
    long r = hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_extraversion, ptr(g_buffer));
    __builtin_memcpy(version, g_buffer, sizeof version);
    version[15] = 0;
    print("a read, a store beside it, the hypervisor writing the word (%ld, '%s'): %u #DB in all\n", r, version,
          g_hit.count);
    check(g_hit.count == 1, "%u hits after the read, the neighbour and the hypervisor's write", g_hit.count);

    expect_value("dr6 afterwards (B0 sticks)", get_debugreg(6) & 0xf, 1);
    check(set_debugreg(6, 0xffff0ff0) == 0, "clearing dr6");
    expect_value("dr6 cleared", get_debugreg(6), 0xffff0ff0);
    check(set_debugreg(7, 0) == 0, "disarming");
    store_watched(7);
    print("a store with dr7 cleared: %u #DB in all\n", g_hit.count);
    check(g_hit.count == 1, "%u hits after disarming", g_hit.count);
}
