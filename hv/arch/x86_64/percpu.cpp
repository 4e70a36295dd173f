#include "hv/arch/x86_64/percpu.hpp"

namespace vireo::arch {
namespace {

PerCpu g_cpus[kMaxCpus];
alignas(16) uint8_t g_stacks[kMaxCpus][kStackSize];
unsigned g_online = 1;

}  // namespace

PerCpu& cpu_data(unsigned index)
{
    PerCpu& pc = g_cpus[index];
    if (!pc.self) {
        pc.self = &pc;
        pc.cpu_index = index;
        pc.stack_top = reinterpret_cast<uint64_t>(&g_stacks[index][kStackSize]);
    }
    return pc;
}

unsigned cpus_online() { return __atomic_load_n(&g_online, __ATOMIC_ACQUIRE); }

void cpu_mark_online(unsigned index)
{
    if (index + 1 > g_online)
        __atomic_store_n(&g_online, index + 1, __ATOMIC_RELEASE);
}

}  // namespace vireo::arch
