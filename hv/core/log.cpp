#include "hv/core/log.hpp"

#include <stdint.h>

namespace vireo {
namespace {

LogSink* g_sink = nullptr;
LogLevel g_level = LogLevel::INFO;
// Whether the last hypervisor output ended its line: a line built by
// several log calls (the debug keys' tables) gets one prefix.
bool g_at_line_start = true;

// Adds "(XEN)"-style prefixes so hypervisor lines stand apart from guest
// output on the shared serial line, and turns \n into \r\n.
class PrefixSink final : public CharSink {
public:
    explicit PrefixSink(const char* prefix) : m_prefix(prefix) {}
    void put(const char* s, size_t n) override
    {
        if (!g_sink)
            return;
        for (size_t i = 0; i < n; ++i) {
            if (g_at_line_start) {
                g_sink->write(m_prefix, __builtin_strlen(m_prefix));
                g_at_line_start = false;
            }
            if (s[i] == '\n') {
                g_sink->write("\r\n", 2);
                g_at_line_start = true;
            } else {
                g_sink->write(&s[i], 1);
            }
        }
    }

private:
    const char* m_prefix;
};

const char* prefix_for(LogLevel level)
{
    switch (level) {
    case LogLevel::ERROR: return "(vireo) error: ";
    case LogLevel::WARNING: return "(vireo) warning: ";
    default: return "(vireo) ";
    }
}

// Lines from several CPUs must not interleave: domain-local hypercalls
// (hypercall.hpp) log beside the hypervisor lock's holder. The wait is
// bounded, so a fault while printing (a panic that prints in turn) cannot
// hang on its own line.
uint32_t g_output_lock = 0;

class OutputGuard {
public:
    OutputGuard()
    {
        for (uint64_t spins = 0; spins < (uint64_t{1} << 26); ++spins) {
            if (__atomic_exchange_n(&g_output_lock, 1u, __ATOMIC_ACQUIRE) == 0) {
                m_held = true;
                return;
            }
            __builtin_ia32_pause();
        }
    }
    ~OutputGuard()
    {
        if (m_held)
            __atomic_store_n(&g_output_lock, 0u, __ATOMIC_RELEASE);
    }
    OutputGuard(const OutputGuard&) = delete;
    OutputGuard& operator=(const OutputGuard&) = delete;

private:
    bool m_held = false;
};

}  // namespace

void log_set_sink(LogSink* sink) { g_sink = sink; }
void log_set_level(LogLevel level) { g_level = level; }
LogLevel log_level() { return g_level; }

bool log_parse_level(const char* name, LogLevel& out)
{
    struct Entry {
        const char* name;
        LogLevel level;
    };
    static constexpr Entry kLevels[] = {
        {"error", LogLevel::ERROR}, {"warning", LogLevel::WARNING}, {"info", LogLevel::INFO},
        {"debug", LogLevel::DEBUG}, {"all", LogLevel::DEBUG},
    };
    for (const auto& e : kLevels) {
        if (__builtin_strcmp(e.name, name) == 0) {
            out = e.level;
            return true;
        }
    }
    return false;
}

void vlog(LogLevel level, const char* fmt, va_list ap)
{
    if (static_cast<int>(level) > static_cast<int>(g_level))
        return;
    OutputGuard guard;
    PrefixSink sink(prefix_for(level));
    vformat(sink, fmt, ap);
}

void log(LogLevel level, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog(level, fmt, ap);
    va_end(ap);
}

// Without the output lock: panic's path, which must print whatever else
// was printing.
void log_raw(const char* s, size_t n)
{
    if (g_sink)
        g_sink->write(s, n);
}

}  // namespace vireo
