#include "hv/arch/x86_64/big_lock.hpp"

#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/log.hpp"

namespace vireo::arch {

// Until a second CPU starts, taking the lock costs no atomic operation.
VIREO_HOT_DATA bool g_big_lock_smp = false;

namespace {

// Why not a ticket lock: each CPU may itself be a thread that its host
// (QEMU's TCG, or a hypervisor below us) stops at any moment, for
// milliseconds when the host is busy. A ticket lock hands the lock to the
// next waiter in line whether or not its thread runs, and every CPU that
// asks after it then waits for the host to run that thread again: two CPUs
// end up taking turns at the host's pace, every turn a host reschedule
// (measured: 75% of each CPU's time spent waiting, dom0 far slower than on
// Xen). Here a free lock goes to whichever waiter is running.
//
// A waiter spins for kSpinUs, then halts until a release wakes it (the
// releaser sends kLockWakeVector to every sleeper): under an emulator a
// halted CPU's thread sleeps and leaves the host core to the others, the
// holder among them, where a spinning one would keep competing for it. A
// sleeper registers, then looks at the lock once more before it halts, and
// the releaser frees the lock before it reads the sleepers, both with full
// ordering: one of the two always sees the other (no lost wake-up).
// Interrupts are on during the halt: one that arrives is handled as in
// idle, taking the lock inside this wait (that inner wait only spins, with
// interrupts off, so this nests once at most). Trap and interrupt
// handlers' waits never halt (see handle_trap).
//
// Shared holders: a domain-local hypercall (hypercall.hpp) holds the lock
// shared, with only its domain locked, beside other shared holders. A
// sharer sets its bit in g_sharers, then looks at the owner; an exclusive
// taker sets the owner, then waits for the sharers to finish (short: one
// hypercall each); both with full ordering, so one of the two always sees
// the other. An owner, or a would-be owner, keeps new sharers out, so
// exclusive takers are never starved by overlapping sharers. Sharers wait
// for a free lock as exclusive takers do, heir claims included, but do not
// leave a free lock to another's claim: they do not keep the heir from
// taking it.
//
// Fairness comes back through the heir: a CPU that has waited kStarveUs
// claims the next turn, and the others leave a free lock to it, for at
// most kHeirUs (an heir that does not take the lock by then is most likely
// not running itself, and holding everyone up for it is what the ticket
// lock did).
constexpr uint32_t kNobody = 0xffffffff;
constexpr uint64_t kStarveUs = 200;
constexpr uint64_t kHeirUs = 2000;
constexpr uint64_t kSpinUs = 50;
VIREO_HOT_DATA alignas(64) uint32_t g_owner = kNobody;
// CPUs halted waiting for the lock (bit = CPU index), and whether a CPU is
// inside its outer wait (then an interrupt's wait must not halt).
VIREO_HOT_DATA alignas(64) uint32_t g_sleepers = 0;
bool g_waiting[kMaxCpus];
static_assert(kMaxCpus <= 32);
// The heir: (TSC since boot at the claim << 8) | (CPU index + 1), 0 for
// none; one word, so the claim and its age are read together.
VIREO_HOT_DATA alignas(64) uint64_t g_heir = 0;
// CPUs holding the lock shared (bit = CPU index).
VIREO_HOT_DATA alignas(64) uint32_t g_sharers = 0;
// CPUs in the wait (not the fast path): a long hypercall stops at its next
// preemption point for them (big_lock_others_waiting).
VIREO_HOT_DATA uint32_t g_waiters = 0;

// Contention figures per CPU (debug key 'l'): a wait or a hold of a
// millisecond or more is far beyond any critical section's own work, and
// under an emulator it means a host thread was not running.
struct LockStats {
    uint64_t acquired, shared, contended, wait_cycles, long_waits, long_holds, held_since;
};
LockStats g_stats[kMaxCpus];

uint64_t us_to_tsc(uint64_t us) { return tsc_khz() * us / 1000; }

// May `me` take a free lock now, with `heir` the heir word read just now?
bool turn_is_mine(uint64_t heir, uint32_t me, uint64_t now)
{
    if (heir == 0 || (heir & 0xff) == me + 1)
        return true;
    return now - tsc_at_boot() - (heir >> 8) > us_to_tsc(kHeirUs);  // the claim has lapsed
}

VIREO_HOT bool try_take(uint32_t me)
{
    uint32_t free = kNobody;
    return __atomic_load_n(&g_owner, __ATOMIC_RELAXED) == kNobody &&
           __atomic_compare_exchange_n(&g_owner, &free, me, false, __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

VIREO_HOT bool try_share(uint32_t me)
{
    if (__atomic_load_n(&g_owner, __ATOMIC_RELAXED) != kNobody)
        return false;
    uint32_t bit = 1u << me;
    __atomic_fetch_or(&g_sharers, bit, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&g_owner, __ATOMIC_SEQ_CST) == kNobody)
        return true;
    __atomic_fetch_and(&g_sharers, ~bit, __ATOMIC_SEQ_CST);  // an exclusive taker came first
    return false;
}

// Takes the lock in the mode asked for, if the turn allows.
bool try_acquire(uint32_t me, bool shared, uint64_t now)
{
    if (shared)
        return try_share(me);
    return turn_is_mine(__atomic_load_n(&g_heir, __ATOMIC_ACQUIRE), me, now) && try_take(me);
}

// The owner waits for the sharers in before it to finish (one hypercall
// each), answering shootdowns: one of them may be waiting for ours.
VIREO_HOT void wait_for_sharers()
{
    while (__atomic_load_n(&g_sharers, __ATOMIC_SEQ_CST) != 0) {
        tlb_shootdown_service();
        cpu_relax();
    }
}

// Registers as a sleeper, looks once more, and halts unless the lock came
// free meanwhile. True if the lock was taken on that last look.
bool sleep_or_take(uint32_t me, bool shared)
{
    uint32_t bit = 1u << me;
    __atomic_fetch_or(&g_sleepers, bit, __ATOMIC_SEQ_CST);
    bool took = try_acquire(me, shared, rdtsc());
    if (!took && __atomic_load_n(&g_owner, __ATOMIC_SEQ_CST) != kNobody)
        asm volatile("sti; hlt; cli" ::: "memory");  // the wake-up IPI, or any interrupt, ends it
    __atomic_fetch_and(&g_sleepers, ~bit, __ATOMIC_SEQ_CST);
    return took;
}

void wake_sleepers(uint32_t me)
{
    uint32_t s = __atomic_load_n(&g_sleepers, __ATOMIC_SEQ_CST) & ~(1u << me);
    for (unsigned c = 0; s; ++c, s >>= 1)
        if (s & 1)
            apic_send_ipi(cpu_data(c).apic_id, kLockWakeVector);
}

// The wait of big_lock and big_lock_shared when the lock is not free at
// once. Out of the hot section (hot_path.hpp): it waits anyway, and the
// fast paths stay on fewer pages.
[[gnu::noinline]] void wait_and_acquire(uint32_t me, bool shared, bool may_halt)
{
    LockStats& st = g_stats[me];
    uint64_t start = rdtsc();
    bool waited = false, heir = false;
    __atomic_fetch_or(&g_waiters, 1u << me, __ATOMIC_RELAXED);
    // The outer wait on this CPU may halt; one inside an interrupt taken
    // during that halt only spins.
    bool may_sleep = may_halt && !g_waiting[me];
    if (may_sleep)
        g_waiting[me] = true;
    uint64_t spin_from = start;
    for (;;) {
        uint64_t now = rdtsc();
        if (try_acquire(me, shared, now))
            break;
        waited = true;
        if (may_sleep && now - spin_from > us_to_tsc(kSpinUs)) {
            if (sleep_or_take(me, shared))
                break;
            spin_from = rdtsc();
        }
        if (!heir && now - start > us_to_tsc(kStarveUs)) {
            uint64_t none = 0;
            uint64_t claim = ((now - tsc_at_boot()) << 8) | (me + 1);
            heir = __atomic_compare_exchange_n(&g_heir, &none, claim, false, __ATOMIC_RELEASE, __ATOMIC_RELAXED);
        }
        tlb_shootdown_service();  // the holder may be waiting for our flush
        cpu_relax();
    }
    if (may_sleep)
        g_waiting[me] = false;
    // An interrupt's wait nested in this one (during a halt) ends first
    // and clears the bit too: set it again until the outer wait ends.
    if (!may_sleep && g_waiting[me])
        __atomic_fetch_or(&g_waiters, 1u << me, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&g_waiters, ~(1u << me), __ATOMIC_RELAXED);
    if (heir)
        __atomic_store_n(&g_heir, 0, __ATOMIC_RELAXED);  // our turn came
    if (!shared)
        wait_for_sharers();
    uint64_t now = rdtsc();
    st.acquired++;
    st.shared += shared;
    if (waited) {
        st.contended++;
        st.wait_cycles += now - start;
        if (now - start >= us_to_tsc(1000))
            st.long_waits++;
    }
    st.held_since = now;
}

// The common case, free and no turn claimed: taken with one TSC read (a
// helper call under TCG, on every hypercall), as the wait would take it
// with three.
VIREO_HOT inline void acquire(uint32_t me, bool shared, bool may_halt)
{
    if (shared ? try_share(me) : __atomic_load_n(&g_heir, __ATOMIC_ACQUIRE) == 0 && try_take(me)) {
        LockStats& st = g_stats[me];
        st.acquired++;
        st.shared += shared;
        if (!shared)
            wait_for_sharers();
        st.held_since = rdtsc();
        return;
    }
    wait_and_acquire(me, shared, may_halt);
}

}  // namespace

VIREO_HOT void big_lock(bool may_halt)
{
    uint32_t me = this_cpu()->cpu_index;
    // One CPU: nobody to wait for (the hypervisor runs with interrupts
    // off), so no atomic operation on every hypercall.
    if (!__atomic_load_n(&g_big_lock_smp, __ATOMIC_ACQUIRE)) {
        g_owner = me;
        return;
    }
    acquire(me, false, may_halt);
}

VIREO_HOT bool big_lock_shared()
{
    uint32_t me = this_cpu()->cpu_index;
    if (!__atomic_load_n(&g_big_lock_smp, __ATOMIC_ACQUIRE)) {
        g_owner = me;  // one CPU: shared is exclusive
        return false;
    }
    acquire(me, true, true);
    this_cpu()->lock_shared = true;
    return true;
}

VIREO_HOT void big_unlock()
{
    if (!g_big_lock_smp) {
        g_owner = kNobody;
        return;
    }
    PerCpu* pc = this_cpu();
    uint32_t me = pc->cpu_index;
    LockStats& st = g_stats[me];
    if (rdtsc() - st.held_since >= us_to_tsc(1000))
        st.long_holds++;
    if (pc->lock_shared) {
        // Nobody sleeps for a sharer: sleepers wait for the owner.
        pc->lock_shared = false;
        __atomic_fetch_and(&g_sharers, ~(1u << me), __ATOMIC_SEQ_CST);
        return;
    }
    __atomic_store_n(&g_owner, kNobody, __ATOMIC_SEQ_CST);
    wake_sleepers(me);
}

void domain_lock(Domain& d)
{
    while (__atomic_exchange_n(&d.local_lock, 1u, __ATOMIC_ACQUIRE) != 0) {
        // Its holder may be waiting for our flush.
        while (__atomic_load_n(&d.local_lock, __ATOMIC_RELAXED) != 0) {
            tlb_shootdown_service();
            cpu_relax();
        }
    }
}

void domain_unlock(Domain& d) { __atomic_store_n(&d.local_lock, 0u, __ATOMIC_RELEASE); }

bool big_lock_others_waiting()
{
    return __atomic_load_n(&g_waiters, __ATOMIC_RELAXED) & ~(1u << this_cpu()->cpu_index);
}

void big_lock_enable_smp()
{
    // The caller holds the lock already (g_owner says so); from now on
    // others contend for it.
    __atomic_store_n(&g_big_lock_smp, true, __ATOMIC_RELEASE);
}

void big_lock_dump()
{
    uint64_t khz = tsc_khz() ? tsc_khz() : 1;
    VLOG_ERR("'l' pressed: hypervisor lock (waits and holds of 1 ms or more are long)\n");
    for (unsigned c = 0; c < cpus_online(); ++c) {
        const LockStats& st = g_stats[c];
        VLOG_ERR("  CPU %u: %lu taken (%lu shared), %lu after waiting, %lu ms waiting, %lu long waits, %lu long "
                 "holds\n",
                 c, st.acquired, st.shared, st.contended, st.wait_cycles / khz, st.long_waits, st.long_holds);
    }
}

bool big_lock_held_here()
{
    return __atomic_load_n(&g_owner, __ATOMIC_RELAXED) == this_cpu()->cpu_index || this_cpu()->lock_shared;
}

}  // namespace vireo::arch
