#include "hv/core/port_io.hpp"

#include "hv/core/platform.hpp"

namespace vireo {
namespace {

struct PortRange {
    uint16_t first, last;
};

// Ports the hypervisor keeps for itself: the PICs, the PIT, the debug-exit
// device, and COM1.
constexpr PortRange kHypervisorPorts[] = {{0x20, 0x21}, {0x40, 0x43}, {0xa0, 0xa1}, {0xf4, 0xf4}, {0x3f8, 0x3ff}};

uint32_t size_mask(unsigned bytes) { return bytes == 4 ? 0xffffffffu : (1u << (8 * bytes)) - 1; }

}  // namespace

bool domain_port_allowed(const Domain& d, uint16_t port)
{
    if (!d.privileged)
        return false;
    for (const PortRange& r : kHypervisorPorts)
        if (port >= r.first && port <= r.last)
            return false;
    return true;
}

bool emulate_port_io(Vcpu& v, GuestRegs& regs, const uint8_t* insn, size_t n)
{
    size_t i = 0;
    bool opsize16 = false;
    for (; i < n && (insn[i] == 0x66 || (insn[i] & 0xf0) == 0x40); ++i)
        opsize16 |= insn[i] == 0x66;
    if (i >= n)
        return false;
    uint8_t op = insn[i++];
    bool imm = op >= 0xe4 && op <= 0xe7;
    bool dx = op >= 0xec && op <= 0xef;
    if (!imm && !dx)
        return false;
    if (imm && i >= n)
        return false;
    unsigned needed = v.in_kernel_mode ? 1 : 3;
    if (v.virtual_iopl < needed)
        return false;  // #GP, as the hardware would give
    uint16_t port = imm ? insn[i++] : static_cast<uint16_t>(regs.rdx);
    unsigned bytes = (op & 1) ? (opsize16 ? 2 : 4) : 1;
    bool out = op & 2;
    const Platform& p = platform();
    bool real = p.port_in && domain_port_allowed(*v.domain, port);
    if (out) {
        if (real)
            p.port_out(port, bytes, static_cast<uint32_t>(regs.rax) & size_mask(bytes));
    } else {
        uint32_t value = real ? p.port_in(port, bytes) : 0xffffffffu;
        uint32_t mask = size_mask(bytes);
        // 32-bit results zero-extend into RAX; 8/16-bit ones merge.
        regs.rax = bytes == 4 ? value : (regs.rax & ~uint64_t{mask}) | (value & mask);
    }
    regs.rip += i;
    return true;
}

}  // namespace vireo
