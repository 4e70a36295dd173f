// The PC's 16550 UART (COM1): the hypervisor's console and debug-key input.
#pragma once

#include <stdint.h>

#include "hv/core/log.hpp"

namespace vireo {

class Uart16550 final : public LogSink {
public:
    static constexpr uint16_t kCom1 = 0x3f8;

    void init(uint16_t base, uint32_t baud);
    void write(const char* s, size_t n) override;
    void put_char(char c);
    // Returns -1 when no byte is waiting.
    int try_get_char();
    // Raise an interrupt on received data (for the debug key and console input).
    void enable_rx_interrupt();
    bool present() const { return m_base != 0; }

private:
    uint16_t m_base = 0;
};

Uart16550& com1();

}  // namespace vireo
