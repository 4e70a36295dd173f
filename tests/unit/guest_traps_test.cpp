// Bounces to the guest on the core alone: the failsafe callback's frame
// (RCX, R11, DS, ES, FS, GS, RIP, CS, RFLAGS, RSP, SS) from kernel and from
// user mode, the crash without a failsafe callback, and the callback
// registrations as Xen 4.17 answers them.
#include <gtest/gtest.h>

#include <cstring>

#include "abi/arch_x86_64.hpp"
#include "abi/callback.hpp"
#include "abi/xen.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;

namespace {

// Hosted: a guest address is a host pointer.
Status copy_from_guest(void* dst, uint64_t guest_va, size_t n)
{
    std::memcpy(dst, reinterpret_cast<const void*>(guest_va), n);
    return Status::OK;
}
Status copy_to_guest(uint64_t guest_va, const void* src, size_t n)
{
    if (guest_va < 0x1000)
        return Status::FAULT;  // an unmapped stack
    std::memcpy(reinterpret_cast<void*>(guest_va), src, n);
    return Status::OK;
}
unsigned g_mode_loads;
void load_guest_mode(const Vcpu&) { ++g_mode_loads; }

constexpr uint64_t kHandler = 0xffffffff80001234;
constexpr uint16_t kSelectors[4] = {0x1233, 0, 0xf, 0xe02b};

class GuestTraps : public test::FakeMachine {
protected:
    alignas(16) uint64_t stack[64] = {};
    Vcpu* v = nullptr;
    GuestRegs regs{};

    void SetUp() override
    {
        Platform ops = base_ops();
        ops.copy_from_guest = copy_from_guest;
        ops.copy_to_guest = copy_to_guest;
        ops.load_guest_mode = load_guest_mode;
        ops.console_write = [](const char*, size_t) {};
        ops.now_ns = []() -> uint64_t { return 1000; };
        ops.running_vcpu = []() -> Vcpu* { return nullptr; };
        ops.request_resched = [] {};
        ops.power_off = [](uint8_t) {};  // the crashed domain may be the last one
        start(ops, "traps");
        g_mode_loads = 0;
        v = &d->vcpus[0];
        d->nr_vcpus = 1;
        v->vcpu_info_maddr = alloc().raw * 4096;
        v->in_kernel_mode = true;
        regs.rip = 0xffffffff80005000;
        regs.cs = xen::FLAT_KERNEL_CS;
        regs.ss = xen::FLAT_KERNEL_SS;
        regs.rflags = 0x2c7;  // IF among them: the guest's view comes from the mask
        regs.rsp = top() - 8;  // not aligned: the frame goes below the aligned top
        regs.rcx = 0x1111, regs.r11 = 0x2222;
        d->state = DomainState::RUNNING;
    }
    uint64_t top() { return reinterpret_cast<uint64_t>(&stack[64]); }
    uint8_t& mask() { return *vcpu_upcall_mask(*v); }
    HypercallResult call(HypercallResult (*fn)(Vcpu&, HypercallArgs&), uint64_t a0, uint64_t a1 = 0,
                         uint64_t a2 = 0)
    {
        HypercallArgs args{0, {a0, a1, a2, 0, 0, 0}};
        return fn(*v, args);
    }
};

TEST_F(GuestTraps, FailsafeFrameFromKernelMode)
{
    v->callbacks.address[xen::CALLBACKTYPE_failsafe] = kHandler;
    v->callbacks.flags[xen::CALLBACKTYPE_failsafe] = xen::CALLBACKF_mask_events;
    mask() = 0;
    guest_failsafe(*v, regs, kSelectors);
    ASSERT_EQ(d->state, DomainState::RUNNING);
    const uint64_t* f = &stack[64 - 2 - 11];  // top - 8 aligned down is top - 16
    EXPECT_EQ(regs.rsp, reinterpret_cast<uint64_t>(f));
    const uint64_t want[11] = {0x1111, 0x2222, 0x1233, 0, 0xf, 0xe02b, 0xffffffff80005000,
                               xen::FLAT_KERNEL_CS & ~3u, 0x2c7, top() - 8, xen::FLAT_KERNEL_SS};
    for (unsigned i = 0; i < 11; ++i)
        EXPECT_EQ(f[i], want[i]) << "word " << i;
    EXPECT_EQ(regs.rip, kHandler);
    EXPECT_EQ(regs.cs, xen::FLAT_KERNEL_CS);
    EXPECT_EQ(regs.ss, xen::FLAT_KERNEL_SS);
    EXPECT_EQ(mask(), 1);  // registered with CALLBACKF_mask_events
    EXPECT_EQ(g_mode_loads, 0u);
}

TEST_F(GuestTraps, FailsafeFrameFromUserModeGoesToTheKernelStack)
{
    v->callbacks.address[xen::CALLBACKTYPE_failsafe] = kHandler;  // no flags: events stay as they were
    v->in_kernel_mode = false;
    v->kernel_sp = top();
    regs.cs = xen::FLAT_USER_CS64;
    regs.ss = xen::FLAT_USER_SS64;
    regs.rsp = 0x7fff0000;
    mask() = 1;
    guest_failsafe(*v, regs, kSelectors);
    EXPECT_TRUE(v->in_kernel_mode);
    EXPECT_EQ(g_mode_loads, 1u);
    const uint64_t* f = &stack[64 - 11];
    EXPECT_EQ(regs.rsp, reinterpret_cast<uint64_t>(f));
    EXPECT_EQ(f[7], xen::FLAT_USER_CS64 | (uint64_t{1} << 32));  // user CS keeps RPL 3; the mask in bits 32-39
    EXPECT_EQ(f[8], 0x2c7u & ~0x200u);                         // events masked: IF clear
    EXPECT_EQ(f[9], 0x7fff0000u);
    EXPECT_EQ(f[10], xen::FLAT_USER_SS64);
    EXPECT_EQ(mask(), 1);
}

TEST_F(GuestTraps, NoFailsafeCallbackCrashesTheDomain)
{
    guest_failsafe(*v, regs, kSelectors);
    EXPECT_EQ(d->state, DomainState::SHUT_DOWN);
    EXPECT_EQ(d->shutdown_reason, 3);  // SHUTDOWN_crash
    EXPECT_EQ(stack[63], 0u);          // nothing written
}

TEST_F(GuestTraps, UnwritableFailsafeFrameCrashesTheDomain)
{
    v->callbacks.address[xen::CALLBACKTYPE_failsafe] = kHandler;
    regs.rsp = 0x800;
    guest_failsafe(*v, regs, kSelectors);
    EXPECT_EQ(d->state, DomainState::SHUT_DOWN);
}

TEST_F(GuestTraps, SetCallbacksAsXen)
{
    v->callbacks.flags[xen::CALLBACKTYPE_failsafe] = xen::CALLBACKF_mask_events;
    // No flags; a refused address is skipped and the call still succeeds.
    EXPECT_EQ(call(do_set_callbacks, kHandler, 0x8000000000000000ull, kHandler + 16), 0);
    EXPECT_EQ(v->callbacks.address[xen::CALLBACKTYPE_event], kHandler);
    EXPECT_EQ(v->callbacks.address[xen::CALLBACKTYPE_failsafe], 0u);
    EXPECT_EQ(v->callbacks.address[xen::CALLBACKTYPE_syscall], kHandler + 16);
    EXPECT_EQ(v->callbacks.flags[xen::CALLBACKTYPE_syscall], 0);
}

TEST_F(GuestTraps, CallbackUnregisterAsXen)
{
    auto unregister = [&](uint16_t type) {
        xen::callback_unregister u{type, 0};
        return call(do_callback_op, xen::CALLBACKOP_unregister, reinterpret_cast<uint64_t>(&u));
    };
    v->callbacks.address[xen::CALLBACKTYPE_syscall] = kHandler;
    for (uint16_t t : {xen::CALLBACKTYPE_event, xen::CALLBACKTYPE_failsafe, xen::CALLBACKTYPE_syscall,
                       xen::CALLBACKTYPE_syscall32, xen::CALLBACKTYPE_sysenter})
        EXPECT_EQ(unregister(t), -22) << "type " << t;
    EXPECT_EQ(v->callbacks.address[xen::CALLBACKTYPE_syscall], kHandler);
    v->callbacks.address[xen::CALLBACKTYPE_nmi] = kHandler;
    EXPECT_EQ(unregister(xen::CALLBACKTYPE_nmi), 0);
    EXPECT_EQ(v->callbacks.address[xen::CALLBACKTYPE_nmi], 0u);
    EXPECT_EQ(unregister(3), -38);
    EXPECT_EQ(unregister(9), -38);
}

}  // namespace

// A user system call bounced as a domain-local entry (hypercall.hpp): the
// same frame as ever, or, when it would crash the domain, nothing changed
// and false (it then runs under the whole hypervisor lock).
TEST_F(GuestTraps, LocalUserSyscallBouncesOrChangesNothing)
{
    v->callbacks.address[xen::CALLBACKTYPE_syscall] = kHandler;
    v->in_kernel_mode = false;
    v->kernel_sp = 0x800;  // unwritable: the crash is not the local entry's to make
    regs.cs = xen::FLAT_USER_CS64;
    regs.ss = xen::FLAT_USER_SS64;
    regs.rsp = 0x7fff0000;
    GuestRegs before = regs;
    EXPECT_FALSE(guest_user_syscall_local(*v, regs));
    EXPECT_FALSE(v->in_kernel_mode);
    EXPECT_FALSE(v->in_local_hypercall);
    EXPECT_EQ(std::memcmp(&regs, &before, sizeof regs), 0);
    EXPECT_EQ(d->state, DomainState::RUNNING);
    EXPECT_EQ(g_mode_loads, 2u);  // to the kernel's tables and back

    v->kernel_sp = top();
    EXPECT_TRUE(guest_user_syscall_local(*v, regs));
    EXPECT_TRUE(v->in_kernel_mode);
    EXPECT_EQ(regs.rip, kHandler);
    EXPECT_EQ(regs.rsp, top() - 7 * 8);  // RCX, R11, RIP, CS, RFLAGS, RSP, SS

    v->callbacks.address[xen::CALLBACKTYPE_syscall] = 0;  // #UD: may crash
    v->in_kernel_mode = false;
    before = regs;
    EXPECT_FALSE(guest_user_syscall_local(*v, regs));
    EXPECT_EQ(std::memcmp(&regs, &before, sizeof regs), 0);
}
