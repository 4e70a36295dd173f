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

constexpr uint16_t kPciConfigAddress = 0xcf8, kPciConfigData = 0xcfc;

// PCI configuration space, as Xen does it for dom0: the address register
// (a 32-bit access to 0xcf8) is kept per domain, and each access to the
// data ports is done with it as one step, so that the hypervisor's own
// configuration accesses (MSI set-up) never see dom0's half-done one.
// True if the access was one of these.
bool pci_config_access(Domain& d, uint16_t port, unsigned bytes, bool out, uint32_t& value)
{
    const Platform& p = platform();
    if (!p.pci_config_read)
        return false;
    if (port == kPciConfigAddress && bytes == 4) {
        if (out)
            d.pci_cf8 = value;
        else
            value = d.pci_cf8;
        return true;
    }
    if (port < kPciConfigData || port > kPciConfigData + 3)
        return false;
    unsigned offset = port - kPciConfigData;
    if (!(d.pci_cf8 & 0x80000000u) || offset + bytes > 4) {
        if (!out)
            value = 0xffffffffu;  // configuration disabled: nothing answers
        return true;
    }
    if (out)
        p.pci_config_write(d.pci_cf8, offset, bytes, value);
    else
        value = p.pci_config_read(d.pci_cf8, offset, bytes);
    return true;
}

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
    uint32_t mask = size_mask(bytes);
    uint32_t value = static_cast<uint32_t>(regs.rax) & mask;
    if (real && pci_config_access(*v.domain, port, bytes, out, value)) {
        // done: for an in, value is what the configuration space answered
    } else if (out) {
        if (real)
            p.port_out(port, bytes, value);
    } else {
        value = real ? p.port_in(port, bytes) : 0xffffffffu;
    }
    // 32-bit results zero-extend into RAX; 8/16-bit ones merge.
    if (!out)
        regs.rax = bytes == 4 ? value : (regs.rax & ~uint64_t{mask}) | (value & mask);
    regs.rip += i;
    return true;
}

}  // namespace vireo
