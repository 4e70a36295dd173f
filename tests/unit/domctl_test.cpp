// domctl as a toolstack uses it to build and end a PV domain, through the
// real handlers on a fake machine: createdomain's checks in Xen 4.17's
// order and its ids, max_mem and populate_physmap for the new domain,
// setvcpucontext's base-table rule, the pause count, destroydomain (and a
// frame dom0 still maps keeping the dying domain's id taken), mmuext pins
// and machphys updates on the new domain's frames.
#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <vector>

#include "abi/domctl.hpp"
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "hv/core/domain_control.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/reservation.hpp"
#include "hv/core/scheduler.hpp"
#include "tests/unit/fake_machine.hpp"
#include "tests/unit/host_pointer_copy.hpp"

using namespace vireo;

namespace {

constexpr int64_t kEPERM = -1, kESRCH = -3, kEEXIST = -17, kEINVAL = -22, kENODATA = -61, kEOVERFLOW = -75,
                  kEOPNOTSUPP = -95;

std::vector<uint64_t> g_m2p(test::kFakeFrames);
void m2p_set(uint64_t mfn, uint64_t pfn) { g_m2p.at(mfn) = pfn; }
void nothing() {}
uint64_t zero() { return 0; }

class Domctl : public test::FakeMachine {
protected:
    Vcpu* v = nullptr;  // dom0's vCPU, the caller
    GuestRegs regs{};
    uint64_t free_at_start = 0;

    void SetUp() override
    {
        Platform ops = base_ops();
        ops.m2p_set = m2p_set;
        ops.copy_from_guest = test::host_copy_from_guest;
        ops.copy_to_guest = test::host_copy_to_guest;
        ops.flush_tlb_local = nothing;
        ops.timers_changed = nothing;
        ops.now_ns = zero;
        ops.read_tsc = zero;
        start(ops, "dom0");
        d->privileged = true;
        d->nr_vcpus = 1;
        d->max_pages = 16;
        d->state = DomainState::RUNNING;
        v = &d->vcpus[0];
        v->live_regs = &regs;
        v->state = VcpuState::RUNNABLE;
        (void)frame_allocator().alloc(kOwnerHypervisor);  // frame 0 is never a guest's
        free_at_start = frame_allocator().free_frames();
    }
    void TearDown() override
    {
        // Every domain a test left is taken apart, so the next starts clean.
        for (unsigned s = 0; s < kMaxDomains; ++s) {
            Domain* o = domain_at(s);
            if (o != d && domain_is_live(*o))
                domain_destroy(*o);
        }
        FakeMachine::TearDown();
    }

    static xen::xen_domctl op(uint32_t cmd, uint16_t domain)
    {
        xen::xen_domctl o{};
        o.cmd = cmd;
        o.interface_version = xen::XEN_DOMCTL_INTERFACE_VERSION;
        o.domain = domain;
        return o;
    }
    static xen::xen_domctl_createdomain pv_config()
    {
        xen::xen_domctl_createdomain c{};
        c.max_vcpus = 2;
        c.max_evtchn_port = 1023;
        c.max_grant_frames = -1;
        c.max_maptrack_frames = -1;
        c.grant_opts = 1;
        return c;
    }
    int64_t domctl(xen::xen_domctl& o, Vcpu* caller = nullptr)
    {
        HypercallArgs args{xen::HYPERVISOR_domctl, {reinterpret_cast<uint64_t>(&o), 0, 0, 0, 0, 0}};
        return do_domctl(caller ? *caller : *v, args);
    }
    int64_t create(const xen::xen_domctl_createdomain& c, uint16_t wanted, uint16_t* id = nullptr)
    {
        xen::xen_domctl o = op(xen::XEN_DOMCTL_createdomain, wanted);
        o.u.createdomain = c;
        int64_t r = domctl(o);
        if (id)
            *id = o.domain;
        return r;
    }
    // A domain with its two vCPUs created (domctl max_vcpus), as a
    // toolstack makes one.
    uint16_t create_ok()
    {
        uint16_t id = 0;
        EXPECT_EQ(create(pv_config(), 0, &id), 0);
        EXPECT_EQ(max_vcpus(id, 2), 0);
        return id;
    }
    int64_t max_vcpus(uint16_t id, uint32_t count)
    {
        xen::xen_domctl o = op(15, id);  // XEN_DOMCTL_max_vcpus
        std::memcpy(&o.u, &count, sizeof count);
        return domctl(o);
    }
    int64_t hypercall_init(uint16_t id, Mfn m)
    {
        xen::xen_domctl o = op(22, id);  // XEN_DOMCTL_hypercall_init
        std::memcpy(&o.u, &m.raw, sizeof m.raw);
        return domctl(o);
    }
    int64_t simple(uint32_t cmd, uint16_t id)
    {
        xen::xen_domctl o = op(cmd, id);
        return domctl(o);
    }
    bool info(uint16_t id, xen::xen_domctl_getdomaininfo& out)
    {
        xen::xen_domctl o = op(xen::XEN_DOMCTL_getdomaininfo, id);
        if (domctl(o) != 0 || o.domain != id)
            return false;
        out = o.u.getdomaininfo;
        return true;
    }
    int64_t max_mem(uint16_t id, uint64_t kb)
    {
        xen::xen_domctl o = op(xen::XEN_DOMCTL_max_mem, id);
        o.u.max_mem.max_memkb = kb;
        return domctl(o);
    }
    int64_t populate(uint16_t id, std::vector<uint64_t>& list)
    {
        xen::xen_memory_reservation r{reinterpret_cast<uint64_t>(list.data()), list.size(), 0, 0, id, {}};
        HypercallArgs args{xen::HYPERVISOR_memory_op,
                           {xen::XENMEM_populate_physmap, reinterpret_cast<uint64_t>(&r), 0, 0, 0, 0}};
        return do_memory_op(*v, args);
    }
    Mfn populate_one(uint16_t id, uint64_t pfn)
    {
        std::vector<uint64_t> list{pfn};
        EXPECT_EQ(populate(id, list), 1);
        return Mfn(list[0]);
    }
    int64_t set_context(uint16_t id, uint32_t vcpu, const xen::vcpu_guest_context* c)
    {
        xen::xen_domctl o = op(xen::XEN_DOMCTL_setvcpucontext, id);
        o.u.vcpucontext.vcpu = vcpu;
        o.u.vcpucontext.ctxt = reinterpret_cast<uint64_t>(c);
        return domctl(o);
    }
    static std::unique_ptr<xen::vcpu_guest_context> context(Mfn l4, bool online)
    {
        auto c = std::make_unique<xen::vcpu_guest_context>();
        std::memset(c.get(), 0, sizeof *c);
        c->flags = xen::VGCF_IN_KERNEL | (online ? xen::VGCF_online : 0);
        c->user_regs.rip = 0x400000;
        c->user_regs.rsp = 0x401000;
        c->user_regs.cs = xen::FLAT_KERNEL_CS;
        c->user_regs.ss = xen::FLAT_KERNEL_SS;
        c->ctrlreg[3] = l4.raw << 12;
        return c;
    }
    int64_t destroy(uint16_t id)
    {
        int64_t r;
        for (int round = 0; (r = simple(xen::XEN_DOMCTL_destroydomain, id)) == kHypercallRestart; ++round)
            EXPECT_LT(round, 100);
        return r;
    }
    int64_t mmuext(unsigned cmd, Mfn m, uint16_t foreigndom, Vcpu* caller = nullptr)
    {
        xen::mmuext_op o{};
        o.cmd = cmd;
        o.arg1 = m.raw;
        HypercallArgs args{xen::HYPERVISOR_mmuext_op, {reinterpret_cast<uint64_t>(&o), 1, 0, foreigndom, 0, 0}};
        return do_mmuext_op(caller ? *caller : *v, args);
    }
    int64_t mmu_update(uint64_t ptr, uint64_t val, uint16_t foreigndom)
    {
        xen::mmu_update u{ptr, val};
        HypercallArgs args{xen::HYPERVISOR_mmu_update, {reinterpret_cast<uint64_t>(&u), 1, 0, foreigndom, 0, 0}};
        return do_mmu_update(*v, args);
    }
    unsigned live_domains()
    {
        unsigned n = 0;
        for (unsigned s = 0; s < kMaxDomains; ++s)
            n += domain_is_live(*domain_at(s));
        return n;
    }
};

TEST_F(Domctl, CreateRefusesWhatAPvOnlyHypervisorCannotGive)
{
    unsigned before = live_domains();
    auto with = [](auto change) {
        xen::xen_domctl_createdomain c = pv_config();
        change(c);
        return c;
    };
    using C = xen::xen_domctl_createdomain;
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_hvm | xen::XEN_DOMCTL_CDF_hap; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_hvm; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_hap; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_nested_virt; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_vpmu; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = xen::XEN_DOMCTL_CDF_iommu; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.flags = 1u << 8; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.iommu_opts = 1; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.vmtrace_size = 4096; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.max_vcpus = 0; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.max_vcpus = kMaxVcpusPerDomain + 1; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.grant_opts = 0; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.grant_opts = 3; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.grant_opts = 0x11; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.max_grant_frames = 0; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.max_grant_frames = 65; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.max_maptrack_frames = 1025; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.arch.misc_flags = 2; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.arch.emulation_flags = 1u << 11; }), 0), kEINVAL);
    EXPECT_EQ(create(with([](C& c) { c.arch.emulation_flags = 1; }), 0), kEOPNOTSUPP);
    EXPECT_EQ(create(with([](C& c) { c.cpupool_id = 1; }), 0), kESRCH);
    EXPECT_EQ(live_domains(), before);
    EXPECT_EQ(frame_allocator().free_frames(), free_at_start);
}

TEST_F(Domctl, CreateGivesAFreeIdOrTheOneAskedFor)
{
    uint16_t a = 0, b = 0, c = 0;
    ASSERT_EQ(create(pv_config(), 0, &a), 0);
    EXPECT_NE(a, 0);
    EXPECT_NE(a, d->id);
    EXPECT_EQ(create(pv_config(), a), kEEXIST);
    EXPECT_EQ(create(pv_config(), d->id), kEEXIST);
    ASSERT_EQ(create(pv_config(), xen::DOMID_FIRST_RESERVED + 3, &b), 0);  // reserved: any free id
    EXPECT_NE(b, a);
    EXPECT_LT(b, xen::DOMID_FIRST_RESERVED);
    ASSERT_EQ(create(pv_config(), 4000, &c), 0);
    EXPECT_EQ(c, 4000);
}

TEST_F(Domctl, OnlyAPrivilegedDomainMayCallIt)
{
    uint16_t id = create_ok();
    Domain* target = domain_lookup(id);
    ASSERT_NE(target, nullptr);
    target->nr_vcpus = 1;
    Vcpu& other = target->vcpus[0];
    other.live_regs = &regs;
    xen::xen_domctl o = op(xen::XEN_DOMCTL_createdomain, 0);
    o.u.createdomain = pv_config();
    EXPECT_EQ(domctl(o, &other), kEPERM);
    o = op(xen::XEN_DOMCTL_pausedomain, d->id);
    EXPECT_EQ(domctl(o, &other), kEPERM);
    o = op(xen::XEN_DOMCTL_destroydomain, d->id);
    EXPECT_EQ(domctl(o, &other), kEPERM);
    o = op(xen::XEN_DOMCTL_destroydomain, 999);
    EXPECT_EQ(domctl(o, &other), kESRCH);  // Xen looks the target up first
    EXPECT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, Mfn(1), d->id, &other), kEPERM);
}

TEST_F(Domctl, ANewDomainIsEmptyPausedAndDown)
{
    uint16_t id = 0;
    ASSERT_EQ(create(pv_config(), 0, &id), 0);
    xen::xen_domctl_getdomaininfo i{};
    ASSERT_TRUE(info(id, i));
    EXPECT_EQ(i.tot_pages, 0u);
    EXPECT_EQ(i.max_pages, 0u);
    EXPECT_NE(i.shared_info_frame, 0u);
    EXPECT_EQ(i.flags, xen::XEN_DOMINF_paused | 0xffff0000u);  // no shutdown code yet: -1
    EXPECT_EQ(i.nr_online_vcpus, 0u);
    EXPECT_EQ(i.max_vcpu_id, ~0u);  // no vCPU until max_vcpus
    EXPECT_EQ(max_vcpus(id, 1), kEINVAL);
    EXPECT_EQ(max_vcpus(id, 3), kEINVAL);
    EXPECT_EQ(max_vcpus(d->id, 1), kEINVAL);
    EXPECT_EQ(max_vcpus(id, 2), 0);
    ASSERT_TRUE(info(id, i));
    EXPECT_EQ(i.max_vcpu_id, 1u);
    // Nothing populates it beyond max_mem.
    std::vector<uint64_t> list{0, 1, 2};
    EXPECT_EQ(populate(id, list), 0);
    ASSERT_EQ(max_mem(id, 8), 0);  // two pages
    EXPECT_EQ(populate(id, list), 2);
    ASSERT_TRUE(info(id, i));
    EXPECT_EQ(i.tot_pages, 2u);
    EXPECT_EQ(i.max_pages, 2u);
    EXPECT_EQ(g_m2p.at(list[0]), 0u);
    EXPECT_EQ(frame_table().get(Mfn(list[1]))->owner, id);

    // hypercall_init: one of its frames that may be written.
    EXPECT_EQ(hypercall_init(id, Mfn(list[0])), 0);
    EXPECT_NE(table(Mfn(list[0]))[0], 0u);
    EXPECT_EQ(hypercall_init(id, alloc()), kEINVAL);  // dom0's
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L1_TABLE, Mfn(list[1]), id), 0);
    EXPECT_EQ(hypercall_init(id, Mfn(list[1])), kEPERM);  // a page table
}

TEST_F(Domctl, MaxEvtchnPortBoundsItsPorts)
{
    xen::xen_domctl_createdomain c = pv_config();
    c.max_evtchn_port = 2;
    uint16_t id = 0;
    ASSERT_EQ(create(c, 0, &id), 0);
    Domain& target = *domain_lookup(id);
    EXPECT_TRUE(evtchn_alloc_port(target).ok());
    EXPECT_TRUE(evtchn_alloc_port(target).ok());
    EXPECT_FALSE(evtchn_alloc_port(target).ok());
    c.max_evtchn_port = 0xffffffff;  // beyond Vireo's table: its size
    ASSERT_EQ(create(c, 0, &id), 0);
    EXPECT_EQ(domain_lookup(id)->max_evtchn_port, kMaxEventPorts - 1);
}

TEST_F(Domctl, PauseIsACount)
{
    uint16_t id = create_ok();
    EXPECT_EQ(simple(xen::XEN_DOMCTL_pausedomain, d->id), kEINVAL);  // not itself
    EXPECT_EQ(simple(xen::XEN_DOMCTL_pausedomain, 999), kESRCH);
    EXPECT_EQ(simple(xen::XEN_DOMCTL_pausedomain, id), 0);
    EXPECT_EQ(simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    // vCPU 0 without a context: Xen 4.17 unpauses all the same (nothing runs).
    EXPECT_EQ(simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    EXPECT_EQ(simple(xen::XEN_DOMCTL_unpausedomain, id), kEINVAL);
    xen::xen_domctl_getdomaininfo i{};
    ASSERT_TRUE(info(id, i));
    EXPECT_EQ(i.flags & xen::XEN_DOMINF_paused, 0u);
    int64_t r = 0;
    unsigned n = 0;
    while ((r = simple(xen::XEN_DOMCTL_pausedomain, id)) == 0)
        ++n;
    EXPECT_EQ(r, kEOVERFLOW);
    EXPECT_EQ(n, 255u);
}

TEST_F(Domctl, SetVcpuContextNeedsAnL4OfTheTargetDomain)
{
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn l4 = populate_one(id, 0);
    Mfn ours = alloc();  // dom0's frame
    // A frame of dom0's, one past memory, one that is not a valid L4 (an
    // entry naming dom0's frame as an L3), a bad vCPU, dom0 itself.
    EXPECT_EQ(set_context(id, 0, context(ours, true).get()), kEINVAL);
    EXPECT_EQ(set_context(id, 0, context(Mfn(test::kFakeFrames + 5), true).get()), kEINVAL);
    table(l4)[0] = (ours.raw << 12) | 1;
    EXPECT_EQ(set_context(id, 0, context(l4, true).get()), kEINVAL);
    EXPECT_EQ(frame_table().get(l4)->type_count, 0u);
    table(l4)[0] = 0;
    EXPECT_EQ(set_context(id, 2, context(l4, true).get()), kEINVAL);  // max_vcpus is 2
    EXPECT_EQ(set_context(d->id, 0, context(l4, true).get()), kEINVAL);  // not its own
    auto bad = context(l4, true);
    bad->user_regs.rip = 0x0000800000000000;  // not canonical
    EXPECT_EQ(set_context(id, 0, bad.get()), kEINVAL);
    bad = context(l4, true);
    bad->gdt_ents = (uint64_t{1} << 32) + 1;  // a count cut to 32 bits would pass
    EXPECT_EQ(set_context(id, 0, bad.get()), kEINVAL);

    // getvcpucontext of a vCPU without one: ENODATA.
    auto out = std::make_unique<xen::vcpu_guest_context>();
    xen::xen_domctl g = op(xen::XEN_DOMCTL_getvcpucontext, id);
    g.u.vcpucontext.ctxt = reinterpret_cast<uint64_t>(out.get());
    EXPECT_EQ(domctl(g), kENODATA);

    ASSERT_EQ(set_context(id, 0, context(l4, true).get()), 0);
    EXPECT_EQ(frame_table().get(l4)->type, PageType::L4);
    EXPECT_EQ(frame_table().get(l4)->type_count, 1u);
    Domain* target = domain_lookup(id);
    EXPECT_EQ(target->vcpus[0].state, VcpuState::RUNNABLE);  // up; runs when unpaused
    xen::xen_domctl_getdomaininfo i{};
    ASSERT_TRUE(info(id, i));
    EXPECT_EQ(i.nr_online_vcpus, 1u);
    EXPECT_EQ(i.flags & xen::XEN_DOMINF_running, 0u);
    EXPECT_NE(i.flags & xen::XEN_DOMINF_paused, 0u);
    ASSERT_EQ(domctl(g), 0);
    EXPECT_EQ(out->ctrlreg[3], l4.raw << 12);
    EXPECT_EQ(out->user_regs.rip, 0x400000u);
    EXPECT_NE(out->flags & xen::VGCF_online, 0u);

    // With a context: other tables are refused, new registers taken.
    Mfn other = populate_one(id, 2);
    EXPECT_EQ(set_context(id, 0, context(other, true).get()), kEOPNOTSUPP);
    auto moved = context(l4, false);
    moved->user_regs.rip = 0x402000;
    EXPECT_EQ(set_context(id, 0, moved.get()), 0);
    EXPECT_EQ(target->vcpus[0].regs.rip, 0x402000u);
    EXPECT_EQ(target->vcpus[0].state, VcpuState::DOWN);  // VGCF_online clear

    // A null context resets it: the base table's reference goes.
    EXPECT_EQ(set_context(id, 0, nullptr), 0);
    EXPECT_FALSE(target->vcpus[0].initialised);
    EXPECT_EQ(frame_table().get(l4)->type_count, 0u);
    EXPECT_EQ(domctl(g), kENODATA);
}

TEST_F(Domctl, DestroyGivesEveryFrameBack)
{
    EXPECT_EQ(destroy(d->id), kEINVAL);  // itself
    EXPECT_EQ(destroy(999), kESRCH);
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn l4 = populate_one(id, 0);
    std::vector<uint64_t> more{1, 2, 3, 4};
    ASSERT_EQ(populate(id, more), 4);
    ASSERT_EQ(set_context(id, 0, context(l4, true).get()), 0);
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L1_TABLE, Mfn(more[0]), id), 0);  // a pin dom0 made for it
    ASSERT_EQ(simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    EXPECT_LT(frame_allocator().free_frames(), free_at_start);
    EXPECT_EQ(destroy(id), 0);
    EXPECT_EQ(frame_allocator().free_frames(), free_at_start);
    xen::xen_domctl_getdomaininfo i{};
    EXPECT_FALSE(info(id, i));
    EXPECT_EQ(destroy(id), kESRCH);
    EXPECT_EQ(create(pv_config(), id), 0);  // the id is free again
}

TEST_F(Domctl, AFrameDom0StillMapsKeepsTheDyingDomain)
{
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn theirs = populate_one(id, 0);
    // dom0 maps it through an L1 of its own (a foreign mapping).
    Mfn l1 = alloc();
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L1_TABLE, l1, xen::DOMID_SELF), 0);
    ASSERT_EQ(mmu_update((l1.raw << 12) | xen::MMU_NORMAL_PT_UPDATE, (theirs.raw << 12) | 1, id), 0);
    std::memset(table(theirs), 0x77, 4096);
    EXPECT_EQ(destroy(id), 0);
    xen::xen_domctl_getdomaininfo i{};
    ASSERT_TRUE(info(id, i));
    EXPECT_NE(i.flags & xen::XEN_DOMINF_dying, 0u);
    EXPECT_EQ(i.tot_pages, 1u);
    EXPECT_EQ(frame_table().get(theirs)->owner, id);  // never handed out while mapped
    EXPECT_EQ(table(theirs)[0], 0x7777777777777777u);
    EXPECT_EQ(create(pv_config(), id), kEEXIST);  // its id stays taken
    EXPECT_EQ(simple(xen::XEN_DOMCTL_pausedomain, id), kESRCH);
    EXPECT_EQ(mmu_update((l1.raw << 12) | 8, (theirs.raw << 12) | 1, id), kESRCH);  // no new mappings
    EXPECT_EQ(destroy(id), 0);  // again: done, waiting
    // Clearing the entry names no frame: dom0 does it as its own update.
    ASSERT_EQ(mmu_update((l1.raw << 12) | xen::MMU_NORMAL_PT_UPDATE, 0, xen::DOMID_SELF), 0);
    EXPECT_EQ(frame_table().get(theirs)->owner, kOwnerFree);
    EXPECT_EQ(table(theirs)[0], 0u);  // scrubbed
    EXPECT_FALSE(info(id, i));
    EXPECT_EQ(create(pv_config(), id), 0);
}

TEST_F(Domctl, MmuextPinsAndMachphysForTheDomainBeingBuilt)
{
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn l4 = populate_one(id, 0);
    Mfn ours = alloc();
    EXPECT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, l4, 999), kESRCH);
    EXPECT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, l4, xen::DOMID_IO), kEINVAL);
    EXPECT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, ours, id), kEINVAL);  // dom0's frame, not the target's
    EXPECT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, l4, xen::DOMID_SELF), kEINVAL);  // not dom0's
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L4_TABLE, l4, id), 0);
    EXPECT_NE(frame_table().get(l4)->flags & kPagePinned, 0);
    EXPECT_EQ(frame_table().get(l4)->type, PageType::L4);
    EXPECT_EQ(mmuext(xen::MMUEXT_NEW_BASEPTR, l4, id), kEPERM);  // dom0's own base, not the target's
    EXPECT_EQ(mmuext(xen::MMUEXT_TLB_FLUSH_LOCAL, l4, id), kEPERM);
    EXPECT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l4, xen::DOMID_SELF), kEINVAL);
    EXPECT_EQ(mmuext(xen::MMUEXT_UNPIN_TABLE, l4, id), 0);
    EXPECT_EQ(frame_table().get(l4)->type_count, 0u);

    EXPECT_EQ(mmu_update((l4.raw << 12) | xen::MMU_MACHPHYS_UPDATE, 42, id), 0);
    EXPECT_EQ(g_m2p.at(l4.raw), 42u);
    EXPECT_EQ(mmu_update((ours.raw << 12) | xen::MMU_MACHPHYS_UPDATE, 43, id), kEINVAL);
    EXPECT_EQ(mmu_update((l4.raw << 12) | xen::MMU_MACHPHYS_UPDATE, 44, xen::DOMID_SELF), kEINVAL);
    EXPECT_EQ(g_m2p.at(l4.raw), 42u);
}

TEST_F(Domctl, TheSchedulerTakesItsVcpuOnlyOnceUnpaused)
{
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn l4 = populate_one(id, 0);
    ASSERT_EQ(set_context(id, 0, context(l4, true).get()), 0);
    Vcpu& theirs = domain_lookup(id)->vcpus[0];
    v->state = VcpuState::BLOCKED;  // dom0 out of the way
    EXPECT_NE(scheduler_pick(nullptr, 1000).next, &theirs);
    ASSERT_EQ(simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    EXPECT_EQ(scheduler_pick(nullptr, 2000).next, &theirs);
    theirs.on_a_cpu = false;
    ASSERT_EQ(simple(xen::XEN_DOMCTL_pausedomain, id), 0);
    EXPECT_NE(scheduler_pick(nullptr, 3000).next, &theirs);
    v->state = VcpuState::RUNNABLE;
}

// destroydomain's teardown in rounds: the same end, whatever the budget.
TEST_F(Domctl, TeardownInSmallRoundsEndsTheSame)
{
    uint16_t id = create_ok();
    ASSERT_EQ(max_mem(id, 64), 0);
    Mfn l4 = populate_one(id, 0);
    std::vector<uint64_t> more{1, 2, 3};
    ASSERT_EQ(populate(id, more), 3);
    ASSERT_EQ(mmuext(xen::MMUEXT_PIN_L1_TABLE, Mfn(more[0]), id), 0);
    ASSERT_EQ(set_context(id, 0, context(l4, true).get()), 0);
    Domain& target = *domain_lookup(id);
    target.state = DomainState::DYING;
    TeardownReport r;
    unsigned rounds = 1;
    while (domain_release_step(target, 7, r) == Status::RESTART)
        ++rounds;
    EXPECT_GE(rounds, 3 * test::kFakeFrames / 7);  // three scans, 7 frames a round
    EXPECT_EQ(r.frames_kept, 0u);
    EXPECT_EQ(r.frames_freed, 5u);  // four pages and shared_info
    EXPECT_EQ(frame_allocator().free_frames(), free_at_start);
    EXPECT_EQ(domain_release_step(target, 7, r), Status::OK);  // done stays done
    target.state = DomainState::DEAD;
}

}  // namespace
