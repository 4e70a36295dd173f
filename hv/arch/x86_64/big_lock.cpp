#include "hv/arch/x86_64/big_lock.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"

namespace vireo::arch {
namespace {

// Ticket lock: fair, so no CPU starves behind the others.
alignas(64) uint32_t g_next = 0;
alignas(64) uint32_t g_serving = 0;
constexpr uint32_t kNobody = 0xffffffff;
uint32_t g_holder = kNobody;
// Until a second CPU starts, taking the lock costs no atomic operation.
bool g_smp = false;

}  // namespace

void big_lock()
{
    uint32_t me = this_cpu()->cpu_index;
    // One CPU: nobody to wait for (the hypervisor runs with interrupts
    // off), so no atomic operation on every hypercall.
    if (!__atomic_load_n(&g_smp, __ATOMIC_ACQUIRE)) {
        g_holder = me;
        return;
    }
    uint32_t ticket = __atomic_fetch_add(&g_next, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&g_serving, __ATOMIC_ACQUIRE) != ticket) {
        tlb_shootdown_service();
        cpu_relax();
    }
    g_holder = me;
}

void big_unlock()
{
    g_holder = kNobody;
    if (!g_smp)
        return;
    __atomic_store_n(&g_serving, g_serving + 1, __ATOMIC_RELEASE);
}

void big_lock_enable_smp()
{
    // The caller holds the lock (untracked so far): it becomes ticket 0,
    // being served; the next CPU to ask gets ticket 1.
    g_next = 1;
    g_serving = 0;
    __atomic_store_n(&g_smp, true, __ATOMIC_RELEASE);
}

bool big_lock_held_here() { return g_holder == this_cpu()->cpu_index; }

}  // namespace vireo::arch
