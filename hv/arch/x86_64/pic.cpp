#include "hv/arch/x86_64/pic.hpp"

#include "hv/arch/x86_64/cpu.hpp"

namespace vireo::arch {

void pic_disable()
{
    // ICW1-ICW4 for both chips: vectors 0x20-0x2f, cascade on IRQ 2, 8086
    // mode; then mask every line (OCW1).
    Io::out8(0x20, 0x11);
    Io::out8(0xa0, 0x11);
    Io::out8(0x21, 0x20);
    Io::out8(0xa1, 0x28);
    Io::out8(0x21, 0x04);
    Io::out8(0xa1, 0x02);
    Io::out8(0x21, 0x01);
    Io::out8(0xa1, 0x01);
    Io::out8(0x21, 0xff);
    Io::out8(0xa1, 0xff);
}

}  // namespace vireo::arch
