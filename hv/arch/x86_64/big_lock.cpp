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

}  // namespace

void big_lock()
{
    uint32_t me = this_cpu()->cpu_index;
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
    __atomic_store_n(&g_serving, g_serving + 1, __ATOMIC_RELEASE);
}

bool big_lock_held_here() { return g_holder == this_cpu()->cpu_index; }

}  // namespace vireo::arch
