#include "hv/arch/x86_64/rtc.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/core/calendar.hpp"

namespace vireo::arch {
namespace {

// CMOS registers (MC146818): time and date, status A (bit 7: update in
// progress) and B (bit 2: binary, bit 1: 24-hour), the century at 0x32.
enum : uint8_t {
    kSeconds = 0x00, kMinutes = 0x02, kHours = 0x04, kDay = 0x07, kMonth = 0x08, kYear = 0x09,
    kStatusA = 0x0a, kStatusB = 0x0b, kCentury = 0x32,
};

uint8_t cmos(uint8_t reg)
{
    Io::out8(0x70, reg);  // NMI stays enabled (bit 7 clear)
    return Io::in8(0x71);
}

unsigned from_bcd(uint8_t v) { return (v >> 4) * 10 + (v & 0xf); }

struct Raw {
    uint8_t sec, min, hour, day, month, year, century;
    bool operator==(const Raw&) const = default;
};

Raw read_raw()
{
    while (cmos(kStatusA) & 0x80)
        cpu_relax();
    return {cmos(kSeconds), cmos(kMinutes), cmos(kHours), cmos(kDay), cmos(kMonth), cmos(kYear), cmos(kCentury)};
}

}  // namespace

uint64_t rtc_read_unix_seconds()
{
    // Read until two reads agree, so no update tears the fields apart.
    Raw a = read_raw(), b = read_raw();
    for (int tries = 0; !(a == b) && tries < 10; ++tries) {
        a = b;
        b = read_raw();
    }
    uint8_t status_b = cmos(kStatusB);
    bool binary = status_b & 0x04, h24 = status_b & 0x02;
    auto conv = [&](uint8_t v) { return binary ? unsigned{v} : from_bcd(v); };
    bool pm = !h24 && (b.hour & 0x80);
    unsigned hour = conv(b.hour & 0x7f);
    if (!h24)
        hour = hour % 12 + (pm ? 12 : 0);
    unsigned century = b.century ? conv(b.century) : 20;
    CalendarTime t{century * 100 + conv(b.year), conv(b.month), conv(b.day), hour, conv(b.min), conv(b.sec)};
    return calendar_valid(t) ? unix_seconds(t) : 0;
}

}  // namespace vireo::arch
