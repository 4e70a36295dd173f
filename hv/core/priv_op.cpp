#include "hv/core/priv_op.hpp"

#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint32_t kMsrFsBase = 0xc0000100, kMsrGsBase = 0xc0000101, kMsrShadowGsBase = 0xc0000102,
                   kMsrEfer = 0xc0000080;
constexpr uint8_t kForcedEmulation[] = {0x0f, 0x0b, 'x', 'e', 'n'};

// Leaf 1 features a PV guest must not see. ECX: MONITOR, DS-CPL, VMX, SMX,
// EST, PCID, x2APIC, TSC-deadline, XSAVE, OSXSAVE, AVX (no extended state is
// context-switched yet). EDX: MCE, MCA, DS, ACPI, TM, PBE.
constexpr uint32_t kLeaf1EcxHide = (1u << 3) | (1u << 5) | (1u << 6) | (1u << 7) | (1u << 8) | (1u << 17) |
                                   (1u << 21) | (1u << 24) | (1u << 26) | (1u << 27) | (1u << 28);
constexpr uint32_t kLeaf1EdxHide = (1u << 7) | (1u << 14) | (1u << 21) | (1u << 22) | (1u << 29) | (1u << 31);
constexpr uint32_t kHypervisorPresent = 1u << 31;

bool canonical(uint64_t va) { return static_cast<uint64_t>(static_cast<int64_t>(va << 16) >> 16) == va; }

bool emulate_rdmsr(Vcpu& v, GuestRegs& regs)
{
    uint64_t value;
    switch (static_cast<uint32_t>(regs.rcx)) {
    case kMsrFsBase: value = v.fs_base; break;
    case kMsrGsBase: value = v.in_kernel_mode ? v.gs_base_kernel : v.gs_base_user; break;
    case kMsrShadowGsBase: value = v.in_kernel_mode ? v.gs_base_user : v.gs_base_kernel; break;
    case kMsrEfer: value = (1u << 0) | (1u << 8) | (1u << 10) | (1u << 11); break;  // SCE LME LMA NXE
    default: return false;
    }
    regs.rax = static_cast<uint32_t>(value);
    regs.rdx = value >> 32;
    return true;
}

bool emulate_wrmsr(Vcpu& v, GuestRegs& regs)
{
    uint64_t value = (regs.rdx << 32) | static_cast<uint32_t>(regs.rax);
    uint32_t msr = static_cast<uint32_t>(regs.rcx);
    if ((msr == kMsrFsBase || msr == kMsrGsBase || msr == kMsrShadowGsBase) && !canonical(value))
        return false;
    switch (msr) {
    case kMsrFsBase:
        v.fs_base = value;
        platform().set_fs_base(value);
        return true;
    case kMsrGsBase:
        (v.in_kernel_mode ? v.gs_base_kernel : v.gs_base_user) = value;
        platform().set_active_gs_base(value);
        return true;
    case kMsrShadowGsBase:
        (v.in_kernel_mode ? v.gs_base_user : v.gs_base_kernel) = value;
        return true;
    default:
        return false;
    }
}

}  // namespace

void guest_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
    if (leaf >= 0x40000000 && leaf < 0x40010000) {
        out[0] = out[1] = out[2] = out[3] = 0;
        switch (leaf) {
        case 0x40000000:
            out[0] = 0x40000005;  // the highest Xen leaf
            __builtin_memcpy(&out[1], "XenV", 4);
            __builtin_memcpy(&out[2], "MMXe", 4);
            __builtin_memcpy(&out[3], "nVMM", 4);
            break;
        case 0x40000001:
            out[0] = (4u << 16) | 17u;  // the interface version: 4.17
            break;
        case 0x40000002:
            out[0] = 1;           // hypercall pages
            out[1] = 0x40000000;  // the MSR that would install one
            break;
        default:
            break;  // 0x40000003-5: HVM and TSC details, all zero for PV
        }
        return;
    }
    platform().cpuid(leaf, subleaf, out);
    if (leaf == 1) {
        out[2] = (out[2] & ~kLeaf1EcxHide) | kHypervisorPresent;
        out[3] &= ~kLeaf1EdxHide;
    } else if (leaf == 7 && subleaf == 0) {
        // No FSGSBASE (segment bases go through the hypervisor), no
        // INVPCID, no SGX/PT.
        out[1] &= ~((1u << 0) | (1u << 10) | (1u << 2) | (1u << 25));
    } else if (leaf == 0xd) {
        out[0] = out[1] = out[2] = out[3] = 0;  // no XSAVE state for guests yet
    }
}

bool emulate_privileged(Vcpu& v, GuestRegs& regs, unsigned vector)
{
    uint8_t insn[8] = {};
    if (platform().copy_from_guest(insn, regs.rip, sizeof insn) != Status::OK &&
        platform().copy_from_guest(insn, regs.rip, 2) != Status::OK)
        return false;
    if (vector == 6) {
        if (__builtin_memcmp(insn, kForcedEmulation, sizeof kForcedEmulation) != 0 || insn[5] != 0x0f ||
            insn[6] != 0xa2)
            return false;
        uint32_t out[4];
        guest_cpuid(static_cast<uint32_t>(regs.rax), static_cast<uint32_t>(regs.rcx), out);
        regs.rax = out[0], regs.rbx = out[1], regs.rcx = out[2], regs.rdx = out[3];
        regs.rip += 7;
        return true;
    }
    if (vector != 13 || !v.in_kernel_mode || insn[0] != 0x0f)
        return false;
    bool done = false;
    if (insn[1] == 0x32)
        done = emulate_rdmsr(v, regs);
    else if (insn[1] == 0x30)
        done = emulate_wrmsr(v, regs);
    else if (insn[1] == 0x09)
        done = true;  // wbinvd: a no-op for a guest
    if (done)
        regs.rip += 2;
    return done;
}

}  // namespace vireo
