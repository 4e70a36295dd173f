// The BVT scheduler on a simulated CPU: real domains in the real domain
// table, and a clock that jumps from one slice end to the next, so ten
// seconds of scheduling take a few milliseconds. Table-driven where it can be.
#include "hv/core/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

using namespace vireo;

namespace {

constexpr uint64_t kMs = 1000 * 1000;
constexpr uint64_t kSecond = 1000 * kMs;

// Virtual time is kept in ns x mcu_advance, so a warp worth `ms` of CPU
// time to a domain of the default weight is ms x 10 in those units.
constexpr uint64_t warp_of_ms(uint64_t ms) { return ms * kMs * kBvtDefaultMcuAdvance; }

BvtParams weight(uint32_t mcu_advance) { return BvtParams{.mcu_advance = mcu_advance}; }

BvtParams warping(uint64_t warp, uint64_t limit_ns, uint64_t unwarp_req_ns)
{
    return BvtParams{.mcu_advance = kBvtDefaultMcuAdvance,
                     .warp_enabled = true,
                     .warp = warp,
                     .warp_limit_ns = limit_ns,
                     .unwarp_req_ns = unwarp_req_ns};
}

double share(uint64_t part, uint64_t whole) { return static_cast<double>(part) / static_cast<double>(whole); }

class Bvt : public ::testing::Test {
protected:
    // A slice as the simulated CPU ran it.
    struct Slice {
        Vcpu* who;
        uint64_t length_ns;
    };

    std::vector<Domain*> created;
    // Not 0: unwarped_at_ns == 0 stands for "never unwarped".
    uint64_t now = kSecond;
    Vcpu* running = nullptr;
    std::vector<Slice> trace;

    void SetUp() override
    {
        // The scheduler walks the whole domain table: a domain some other
        // test left behind would take CPU time from ours.
        ASSERT_EQ(domains_alive(), 0u);
        scheduler_set_ctx_allow(kBvtDefaultCtxAllowNs);
    }

    void TearDown() override { destroy_all(); }

    void destroy_all()
    {
        for (Domain* d : created)
            domain_destroy(*d);
        created.clear();
        running = nullptr;
        trace.clear();
    }

    // A running one-vCPU domain. A helper returning a reference cannot
    // ASSERT, so a full table is an exception (GoogleTest reports it).
    Vcpu& add_domain(const BvtParams& params, VcpuState state = VcpuState::RUNNABLE)
    {
        static uint16_t next_id = 300;
        Domain* d = domain_create(next_id++, "bvt", false);
        if (!d)
            throw std::runtime_error("domain table full");
        created.push_back(d);
        d->state = DomainState::RUNNING;
        d->nr_vcpus = 1;
        d->vcpus[0].state = state;
        if (scheduler_set_params(*d, params) != Status::OK)
            throw std::runtime_error("parameters refused");
        return d->vcpus[0];
    }

    // Asks the scheduler at `now`, charging whoever ran until now.
    SchedDecision decide(bool yielded = false)
    {
        SchedDecision s = scheduler_pick(running, now, yielded);
        running = s.next;
        return s;
    }

    // Runs whole slices until `ns` have passed. It ends with a decision at
    // the final `now`, so every slice that ran is charged and `running`
    // has just been put on the CPU.
    void run_for(uint64_t ns)
    {
        const uint64_t until = now + ns;
        for (;;) {
            SchedDecision s = decide();
            if (!s.next) {
                now = until;  // idle: nobody to charge
                return;
            }
            if (now >= until)
                return;
            trace.push_back({s.next, s.slice_end_ns - now});
            now = s.slice_end_ns;
        }
    }

    void block(Vcpu& v)
    {
        v.state = VcpuState::BLOCKED;
        scheduler_sleep(v, now);
    }

    // True if the scheduler wants the woken vCPU to preempt `running`.
    bool wake(Vcpu& v)
    {
        v.state = VcpuState::RUNNABLE;
        return scheduler_wake(v, running, now);
    }

    // The system virtual time: the least avt of the runnable vCPUs but v.
    uint64_t svt_without(const Vcpu& v)
    {
        uint64_t svt = UINT64_MAX;
        for (Domain* d : created)
            if (&d->vcpus[0] != &v && d->vcpus[0].state == VcpuState::RUNNABLE)
                svt = std::min(svt, d->vcpus[0].bvt.avt);
        return svt;
    }
};

}  // namespace

TEST_F(Bvt, CpuTimeIsSharedInInverseProportionToMcuAdvance)
{
    struct Case {
        const char* what;
        std::vector<uint32_t> mcu_advances;
    };
    const Case cases[] = {
        {"weights 1:2:4", {40, 20, 10}},
        {"two equal", {10, 10}},
        {"three equal, heavier advance", {25, 25, 25}},
        {"weights 1:3", {30, 10}},
        {"five equal", {10, 10, 10, 10, 10}},
    };
    constexpr uint64_t kRun = 10 * kSecond;
    for (const Case& c : cases) {
        std::vector<Vcpu*> vcpus;
        for (uint32_t adv : c.mcu_advances)
            vcpus.push_back(&add_domain(weight(adv)));
        run_for(kRun);
        double inverse_sum = 0;
        for (uint32_t adv : c.mcu_advances)
            inverse_sum += 1.0 / adv;
        uint64_t total = 0;
        for (Vcpu* v : vcpus)
            total += v->bvt.cpu_time_ns;
        EXPECT_GE(total, kRun) << c.what;  // the CPU never idled
        for (size_t i = 0; i < vcpus.size(); ++i) {
            double expected = (1.0 / c.mcu_advances[i]) / inverse_sum;
            EXPECT_NEAR(share(vcpus[i]->bvt.cpu_time_ns, total), expected, expected * 0.02)
                << c.what << ", domain " << i;
        }
        destroy_all();
    }
}

TEST_F(Bvt, ASingleDomainRunsAloneInMaximalSlices)
{
    Vcpu& only = add_domain(weight(10));
    run_for(kSecond);
    ASSERT_FALSE(trace.empty());
    for (const Slice& s : trace) {
        EXPECT_EQ(s.who, &only);
        EXPECT_EQ(s.length_ns, kBvtMaxSliceNs);
    }
    EXPECT_GE(only.bvt.cpu_time_ns, kSecond);
    EXPECT_EQ(only.bvt.switches_in, 1u);  // put on the CPU once, then kept
}

TEST_F(Bvt, NothingRunnableMeansIdle)
{
    add_domain(weight(10), VcpuState::BLOCKED);
    SchedDecision s = decide();
    EXPECT_EQ(s.next, nullptr);
}

TEST_F(Bvt, SleepingEarnsNoCredit)
{
    Vcpu& a = add_domain(weight(10));
    Vcpu& b = add_domain(weight(10));
    Vcpu& sleeper = add_domain(weight(10));
    run_for(kSecond);
    block(sleeper);
    run_for(5 * kSecond);
    const uint64_t svt = svt_without(sleeper);
    ASSERT_LT(sleeper.bvt.avt, svt);  // it fell behind while asleep
    wake(sleeper);
    EXPECT_EQ(sleeper.bvt.avt, svt);
    EXPECT_EQ(sleeper.bvt.woken_at_ns, now);
    // From here it takes its third, not the five seconds it missed.
    const uint64_t before[] = {a.bvt.cpu_time_ns, b.bvt.cpu_time_ns, sleeper.bvt.cpu_time_ns};
    run_for(3 * kSecond);
    const uint64_t got[] = {a.bvt.cpu_time_ns - before[0], b.bvt.cpu_time_ns - before[1],
                            sleeper.bvt.cpu_time_ns - before[2]};
    const uint64_t total = got[0] + got[1] + got[2];
    for (uint64_t g : got)
        EXPECT_NEAR(share(g, total), 1.0 / 3, 0.01);
}

TEST_F(Bvt, WakingAheadOfTheSystemVirtualTimeKeepsItsOwn)
{
    add_domain(weight(10));
    Vcpu& sleeper = add_domain(weight(10), VcpuState::BLOCKED);
    run_for(kSecond);
    // As if it had run far ahead before it slept: no reward for that either.
    const uint64_t ahead = svt_without(sleeper) + warp_of_ms(100);
    sleeper.bvt.avt = ahead;
    wake(sleeper);
    EXPECT_EQ(sleeper.bvt.avt, ahead);
}

TEST_F(Bvt, WakingPreemptsOnlyBeyondTheContextSwitchAllowance)
{
    struct Case {
        const char* what;
        bool warp_enabled;
        uint64_t woken_into_slice_ns;  // how long the hog has run when the waker wakes
        bool preempts;
    };
    const Case cases[] = {
        {"warped waker preempts at once", true, 1 * kMs, true},
        {"unwarped waker level with the hog waits", false, 1 * kMs, false},
        {"unwarped waker still inside the allowance waits", false, kBvtDefaultCtxAllowNs - kMs, false},
        {"unwarped waker preempts once the hog is past the allowance", false, kBvtDefaultCtxAllowNs + kMs, true},
    };
    for (const Case& c : cases) {
        Vcpu& hog = add_domain(weight(10));
        BvtParams params = c.warp_enabled ? warping(warp_of_ms(20), 10 * kMs, 100 * kMs) : weight(10);
        Vcpu& waker = add_domain(params, VcpuState::BLOCKED);
        run_for(kSecond);
        ASSERT_EQ(running, &hog) << c.what;
        now += c.woken_into_slice_ns;
        EXPECT_EQ(wake(waker), c.preempts) << c.what;
        EXPECT_EQ(waker.bvt.avt, hog.bvt.avt) << c.what;  // brought up to the SVT
        EXPECT_EQ(waker.bvt.warped, c.warp_enabled) << c.what;
        if (c.preempts) {
            EXPECT_EQ(decide().next, &waker) << c.what;
        }
        destroy_all();
    }
}

TEST_F(Bvt, WakingWhileIdleAlwaysPreempts)
{
    Vcpu& v = add_domain(weight(10), VcpuState::BLOCKED);
    ASSERT_EQ(decide().next, nullptr);
    EXPECT_TRUE(wake(v));
    EXPECT_EQ(decide().next, &v);
}

TEST_F(Bvt, AWarpEndsAtItsLimitAndReturnsOnlyAfterUnwarpReq)
{
    constexpr uint64_t kLimit = 2 * kMs, kUnwarpReq = 50 * kMs;
    Vcpu& hog = add_domain(weight(10));
    Vcpu& warper = add_domain(warping(warp_of_ms(20), kLimit, kUnwarpReq), VcpuState::BLOCKED);
    run_for(kSecond);

    ASSERT_TRUE(wake(warper));
    ASSERT_TRUE(warper.bvt.warped);
    SchedDecision s = decide();
    ASSERT_EQ(s.next, &warper);
    // Far ahead of the hog, it would get a long slice: the limit cuts it.
    EXPECT_EQ(s.slice_end_ns - now, kLimit);

    // It stays runnable (CPU-bound), and still loses its warp at the limit.
    now = s.slice_end_ns;
    const uint64_t warp_ended = now;
    EXPECT_EQ(decide().next, &hog);
    EXPECT_FALSE(warper.bvt.warped);
    EXPECT_EQ(warper.bvt.unwarped_at_ns, warp_ended);

    // Blocking and waking again soon after does not renew the warp.
    block(warper);
    run_for(kUnwarpReq / 2);
    wake(warper);
    EXPECT_FALSE(warper.bvt.warped);

    // Once unwarp_req has passed since the warp ended, it may warp again.
    block(warper);
    run_for(kUnwarpReq);
    ASSERT_GE(now - warp_ended, kUnwarpReq);
    wake(warper);
    EXPECT_TRUE(warper.bvt.warped);
    EXPECT_EQ(warper.bvt.warped_ran_ns, 0u);
}

TEST_F(Bvt, SleepingEndsAWarp)
{
    add_domain(weight(10));
    Vcpu& warper = add_domain(warping(warp_of_ms(20), 10 * kMs, 50 * kMs), VcpuState::BLOCKED);
    run_for(kSecond);
    wake(warper);
    ASSERT_TRUE(warper.bvt.warped);
    block(warper);
    EXPECT_FALSE(warper.bvt.warped);
    EXPECT_EQ(warper.bvt.unwarped_at_ns, now);
}

TEST_F(Bvt, YieldingHandsTheCpuToAnotherAndBackWhenAlone)
{
    Vcpu& a = add_domain(weight(10));
    Vcpu& b = add_domain(weight(10));
    run_for(kSecond);
    // `running` was just chosen for having the least virtual time, yet a
    // yield still gives the CPU away.
    Vcpu* yielder = running;
    Vcpu* other = yielder == &a ? &b : &a;
    EXPECT_EQ(decide(true).next, other);
    EXPECT_EQ(decide(true).next, yielder);

    // With nobody else runnable, the yielder gets the CPU straight back.
    ASSERT_EQ(running, yielder);
    block(*other);
    SchedDecision s = decide(true);
    EXPECT_EQ(s.next, yielder);
    EXPECT_EQ(s.slice_end_ns - now, kBvtMaxSliceNs);
}

TEST_F(Bvt, SetParamsRefusesNonsenseAndAppliesTheRest)
{
    struct Case {
        const char* what;
        BvtParams params;
        Status expected;
    };
    const Case cases[] = {
        {"zero mcu_advance", weight(0), Status::INVALID},
        {"absurd mcu_advance", weight(10001), Status::INVALID},
        {"warp without a limit", warping(warp_of_ms(20), 0, 50 * kMs), Status::INVALID},
        {"warp limit beyond a second", warping(warp_of_ms(20), 2 * kSecond, 50 * kMs), Status::INVALID},
        {"default weight", weight(kBvtDefaultMcuAdvance), Status::OK},
        {"heaviest weight", weight(1), Status::OK},
        {"lightest weight", weight(10000), Status::OK},
        {"bounded warp", warping(warp_of_ms(20), 10 * kMs, 50 * kMs), Status::OK},
        {"warp limit of exactly a second", warping(warp_of_ms(20), kSecond, 0), Status::OK},
    };
    Vcpu& v = add_domain(weight(7));
    Domain& d = *v.domain;
    for (const Case& c : cases) {
        ASSERT_EQ(scheduler_set_params(d, weight(7)), Status::OK);
        EXPECT_EQ(scheduler_set_params(d, c.params), c.expected) << c.what;
        // A refusal leaves the old parameters; an acceptance applies all.
        const BvtParams& want = c.expected == Status::OK ? c.params : weight(7);
        EXPECT_EQ(d.bvt.mcu_advance, want.mcu_advance) << c.what;
        EXPECT_EQ(d.bvt.warp_enabled, want.warp_enabled) << c.what;
        EXPECT_EQ(d.bvt.warp, want.warp) << c.what;
        EXPECT_EQ(d.bvt.warp_limit_ns, want.warp_limit_ns) << c.what;
        EXPECT_EQ(d.bvt.unwarp_req_ns, want.unwarp_req_ns) << c.what;
    }
}

TEST_F(Bvt, TurningWarpOffEndsAWarpInProgress)
{
    add_domain(weight(10));
    Vcpu& warper = add_domain(warping(warp_of_ms(20), 10 * kMs, 50 * kMs), VcpuState::BLOCKED);
    run_for(kSecond);
    wake(warper);
    ASSERT_TRUE(warper.bvt.warped);
    ASSERT_EQ(scheduler_set_params(*warper.domain, weight(10)), Status::OK);
    EXPECT_FALSE(warper.bvt.warped);
}

// Several CPUs: each picks from its own run queue, never a vCPU another CPU
// runs, and an empty queue steals a waiting vCPU, which then belongs to the
// stealing CPU; a woken vCPU goes to an idle CPU when its own is busy.
TEST_F(Bvt, EachCpuRunsItsOwnQueueAndAnIdleOneSteals)
{
    Vcpu& a = add_domain(weight(10));
    Vcpu& b = add_domain(weight(10));
    a.processor = 0;
    b.processor = 1;
    SchedDecision on0 = scheduler_pick(nullptr, now, false, 0);
    SchedDecision on1 = scheduler_pick(nullptr, now, false, 1);
    EXPECT_EQ(on0.next, &a);
    EXPECT_EQ(on1.next, &b);
    EXPECT_TRUE(a.on_a_cpu);
    EXPECT_TRUE(b.on_a_cpu);
    // a third vCPU on CPU 0's queue, CPU 1 idle after b blocks: CPU 1 takes it
    Vcpu& c = add_domain(weight(10));
    c.processor = 0;
    b.state = VcpuState::BLOCKED;
    now += kBvtMcuNs;
    SchedDecision again1 = scheduler_pick(&b, now, false, 1);
    EXPECT_EQ(again1.next, &c);
    EXPECT_EQ(c.processor, 1u);
    EXPECT_FALSE(b.on_a_cpu);
    // and CPU 0 keeps a: c is taken, nothing else of its queue is left
    SchedDecision again0 = scheduler_pick(&a, now, false, 0);
    EXPECT_EQ(again0.next, &a);
    // placement: b wakes with its CPU (1) busy and CPU 0 idle -> CPU 0
    b.state = VcpuState::RUNNABLE;
    unsigned cpu = scheduler_place(b, 2, [](unsigned c) { return c == 0; });
    EXPECT_EQ(cpu, 0u);
    EXPECT_EQ(b.processor, 0u);
}

TEST_F(Bvt, ABusyCpuTakesWorkFromAQueueLongerByTwo)
{
    // Three CPU-bound vCPUs queued on CPU 0, one on CPU 1: without
    // balancing each of the three gets a third of CPU 0 while b has CPU 1.
    Vcpu& a = add_domain(weight(10));
    Vcpu& b = add_domain(weight(10));
    Vcpu& c = add_domain(weight(10));
    Vcpu& d = add_domain(weight(10));
    a.processor = c.processor = d.processor = 0;
    b.processor = 1;
    c.bvt.avt = 5000;
    d.bvt.avt = 9000;
    b.bvt.avt = 100000;
    EXPECT_EQ(scheduler_pick(nullptr, now, false, 0).next, &a);
    // CPU 1 picks: it first takes CPU 0's best waiting vCPU (c), whose lead
    // over CPU 0's virtual time (a's 0) is kept over CPU 1's (b's), so b,
    // still the lower, runs.
    SchedDecision on1 = scheduler_pick(nullptr, now, false, 1);
    EXPECT_EQ(c.processor, 1u);
    EXPECT_EQ(c.bvt.avt, 105000u);
    EXPECT_EQ(on1.next, &b);
    EXPECT_EQ(d.processor, 0u);
    // Two and two: no further moves either way.
    now += 10 * kMs;
    scheduler_pick(&a, now, false, 0);
    scheduler_pick(&b, now, false, 1);
    EXPECT_EQ(a.processor, 0u);
    EXPECT_EQ(d.processor, 0u);
    EXPECT_EQ(b.processor, 1u);
    EXPECT_EQ(c.processor, 1u);
}
