#include "hv/drivers/uart16550.hpp"

#include "hv/arch/x86_64/cpu.hpp"

namespace vireo {
namespace {

// Register offsets from the base port (PC16550D datasheet).
enum : uint16_t {
    kData = 0,        // RBR/THR, or divisor low with DLAB
    kIntEnable = 1,   // IER, or divisor high with DLAB
    kFifoCtl = 2,     // FCR
    kLineCtl = 3,     // LCR
    kModemCtl = 4,    // MCR
    kLineStatus = 5,  // LSR
    kScratch = 7,
};
constexpr uint8_t kLsrDataReady = 0x01;
constexpr uint8_t kLsrThrEmpty = 0x20;

Uart16550 g_com1;

}  // namespace

Uart16550& com1() { return g_com1; }

void Uart16550::init(uint16_t base, uint32_t baud)
{
    using arch::Io;
    // A missing UART reads back all-ones from its scratch register.
    Io::out8(base + kScratch, 0x5a);
    if (Io::in8(base + kScratch) != 0x5a)
        return;
    uint16_t divisor = static_cast<uint16_t>(115200 / (baud ? baud : 115200));
    Io::out8(base + kIntEnable, 0);
    Io::out8(base + kLineCtl, 0x80);  // DLAB
    Io::out8(base + kData, divisor & 0xff);
    Io::out8(base + kIntEnable, divisor >> 8);
    Io::out8(base + kLineCtl, 0x03);  // 8n1
    Io::out8(base + kFifoCtl, 0xc7);  // FIFOs on, cleared, 14-byte trigger
    Io::out8(base + kModemCtl, 0x0b); // DTR, RTS, OUT2 (IRQ line enabled)
    m_base = base;
}

void Uart16550::put_char(char c)
{
    using arch::Io;
    if (!m_base)
        return;
    for (int spins = 0; spins < 100000 && !(Io::in8(m_base + kLineStatus) & kLsrThrEmpty); ++spins)
        arch::cpu_relax();
    Io::out8(m_base + kData, static_cast<uint8_t>(c));
}

void Uart16550::write(const char* s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        put_char(s[i]);
}

int Uart16550::try_get_char()
{
    using arch::Io;
    if (!m_base || !(Io::in8(m_base + kLineStatus) & kLsrDataReady))
        return -1;
    return Io::in8(m_base + kData);
}

void Uart16550::enable_rx_interrupt()
{
    if (m_base)
        arch::Io::out8(m_base + kIntEnable, 0x01);
}

}  // namespace vireo
