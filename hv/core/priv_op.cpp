#include "hv/core/priv_op.hpp"

#include "abi/xen.hpp"
#include "hv/core/cpuid_policy.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/port_io.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

constexpr uint32_t kMsrFsBase = 0xc0000100, kMsrGsBase = 0xc0000101, kMsrShadowGsBase = 0xc0000102,
                   kMsrEfer = 0xc0000080;
constexpr uint8_t kForcedEmulation[] = {0x0f, 0x0b, 'x', 'e', 'n'};

// Beyond Xen's default PV policy (cpuid_policy.hpp), what Vireo cannot
// offer yet: no extended state is context-switched (XSAVE, OSXSAVE, AVX;
// leaf 7's AVX2, AVX-512 and friends go with them), and segment bases go
// through the hypervisor (FSGSBASE).
constexpr uint32_t kLeaf1EcxHide = (1u << 26) | (1u << 27) | (1u << 28) | (1u << 29) | (1u << 12);  // +F16C, FMA
constexpr uint32_t kLeaf7EbxHide = (1u << 0) | (1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 26) |
                                   (1u << 27) | (1u << 28) | (1u << 30) | (1u << 31);
constexpr uint32_t kLeaf7EcxHide = (1u << 1) | (1u << 6) | (1u << 8) | (1u << 9) | (1u << 10) | (1u << 11) |
                                   (1u << 12) | (1u << 14);
constexpr uint32_t kHypervisorPresent = 1u << 31;

// The machine-check MSRs a guest that sees MCE/MCA reads (Xen gives PV
// guests a virtual MCA with two banks that never report anything).
constexpr uint32_t kMsrMcgCap = 0x179, kMsrMcgStatus = 0x17a, kMsrMcgCtl = 0x17b;
constexpr uint32_t kGuestMcBanks = 2;
bool is_guest_mc_bank_msr(uint32_t msr) { return msr >= 0x400 && msr < 0x400 + 4 * kGuestMcBanks; }

bool emulate_rdmsr(Vcpu& v, GuestRegs& regs)
{
    uint64_t value;
    switch (static_cast<uint32_t>(regs.rcx)) {
    case kMsrFsBase: value = v.fs_base; break;
    case kMsrGsBase: value = v.in_kernel_mode ? v.gs_base_kernel : v.gs_base_user; break;
    case kMsrShadowGsBase: value = v.in_kernel_mode ? v.gs_base_user : v.gs_base_kernel; break;
    case kMsrEfer: value = (1u << 0) | (1u << 8) | (1u << 10) | (1u << 11); break;  // SCE LME LMA NXE
    case kMsrMcgCap: value = kGuestMcBanks; break;  // virtual machine check: banks, never an error
    case kMsrMcgStatus:
    case kMsrMcgCtl: value = 0; break;
    default:
        if (is_guest_mc_bank_msr(static_cast<uint32_t>(regs.rcx))) {
            value = 0;
            break;
        }
        return false;
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
    if (msr == kMsrMcgStatus || msr == kMsrMcgCtl || is_guest_mc_bank_msr(msr))
        return true;  // accepted and dropped: no machine check reaches a guest
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

// CR0 as the guest sees it: the real one, with its own virtual TS.
uint64_t guest_cr0(const Vcpu& v)
{
    constexpr uint64_t kTs = 1u << 3;
    uint64_t cr0 = platform().read_cr0 ? platform().read_cr0() : 0x80050033;
    return v.fpu_ts ? cr0 | kTs : cr0 & ~kTs;
}

// The CR4 bits a PV guest is shown (and may believe it set): PAE,
// OSFXSR, OSXMMEXCPT and the virtualised TSD/DE; the rest of the real CR4
// (SMEP, SMAP, PGE...) belongs to the hypervisor.
constexpr uint64_t kGuestCr4Bits = (1u << 5) | (1u << 9) | (1u << 10) | (1u << 2) | (1u << 3);
constexpr uint64_t kGuestCr4Initial = (1u << 5) | (1u << 9) | (1u << 10);

// mov to/from a control register (0f 20 / 0f 22, after an optional REX):
// the guest kernel reads its virtual CR0, CR2 (the last page fault's
// address), CR3 and CR4, may flip CR0.TS (lazy FPU) and set CR4's guest
// bits. Anything else is refused (#GP).
bool emulate_mov_cr(Vcpu& v, GuestRegs& regs, const uint8_t* insn)
{
    unsigned rex = (insn[0] & 0xf0) == 0x40 ? insn[0] : 0;
    const uint8_t* op = rex ? insn + 1 : insn;
    if (op[0] != 0x0f || (op[1] != 0x20 && op[1] != 0x22))
        return false;
    unsigned cr = ((op[2] >> 3) & 7) | ((rex & 4) ? 8 : 0);
    uint64_t& reg = gpr(regs, (op[2] & 7) | ((rex & 1) ? 8 : 0));
    bool read = op[1] == 0x20;
    if (read) {
        switch (cr) {
        case 0: reg = guest_cr0(v); break;
        case 2: reg = v.virtual_cr2; break;
        case 3: reg = v.in_kernel_mode || !v.user_cr3 ? v.kernel_cr3 : v.user_cr3; break;
        case 4: reg = v.virtual_cr4 ? v.virtual_cr4 : kGuestCr4Initial; break;
        default: return false;
        }
    } else {
        switch (cr) {
        case 0:
            if ((reg ^ guest_cr0(v)) & ~uint64_t{1u << 3})
                return false;  // only TS may change, as on Xen
            v.fpu_ts = reg & (1u << 3);
            platform().set_fpu_ts(v.fpu_ts);
            break;
        case 2: v.virtual_cr2 = reg; break;
        case 4: v.virtual_cr4 = (reg & kGuestCr4Bits) | (1u << 5); break;
        default: return false;
        }
    }
    regs.rip += static_cast<uint64_t>(op - insn) + 3;
    return true;
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
        out[2] = (out[2] & kPvLeaf1Ecx & ~kLeaf1EcxHide) | kHypervisorPresent;
        out[3] &= kPvLeaf1Edx;
    } else if (leaf == 7) {
        if (subleaf == 0) {
            out[1] &= kPvLeaf7Ebx & ~kLeaf7EbxHide;
            out[2] &= kPvLeaf7Ecx & ~kLeaf7EcxHide;
            out[3] &= kPvLeaf7Edx;
        } else {
            out[0] = out[1] = out[2] = out[3] = 0;
        }
    } else if (leaf == 0x80000001) {
        out[2] &= kPvExt1Ecx;
        out[3] &= kPvExt1Edx;
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
    if (vector != 13)
        return false;
    if (emulate_port_io(v, regs, insn, sizeof insn))
        return true;
    if (insn[0] == 0xfa || insn[0] == 0xfb) {
        // cli/sti with enough virtual IOPL are accepted and do nothing, as
        // on Xen: the virtual IF is the upcall mask, which only the guest's
        // own writes change, and a later popf could not restore it (Linux
        // runs pushf; cli; ...; popf before its alternatives are patched).
        if (v.virtual_iopl < (v.in_kernel_mode ? 1 : 3))
            return false;
        regs.rip += 1;
        return true;
    }
    if (!v.in_kernel_mode)
        return false;
    if (emulate_mov_cr(v, regs, insn))
        return true;
    if (insn[0] != 0x0f)
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
