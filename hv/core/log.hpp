// The hypervisor's console log: leveled, printf-style, written to whatever
// sinks the arch layer registers (the serial line). Portable: no hardware.
#pragma once

#include "lib/format.hpp"

namespace vireo {

enum class LogLevel : int { ERROR = 0, WARNING = 1, INFO = 2, DEBUG = 3 };

// Where log text goes. The arch layer registers the UART; tests register a
// buffer.
class LogSink {
public:
    virtual void write(const char* s, size_t n) = 0;

protected:
    ~LogSink() = default;
};

void log_set_sink(LogSink* sink);
void log_set_level(LogLevel level);
LogLevel log_level();
// Parses "error|warning|info|debug|all" (Xen's loglvl names); false if unknown.
bool log_parse_level(const char* name, LogLevel& out);

[[gnu::format(printf, 2, 3)]] void log(LogLevel level, const char* fmt, ...);
void vlog(LogLevel level, const char* fmt, va_list ap);
// Raw text, no prefix and no level filter (guest console output, panics).
void log_raw(const char* s, size_t n);

}  // namespace vireo

#define VLOG_ERR(...) ::vireo::log(::vireo::LogLevel::ERROR, __VA_ARGS__)
#define VLOG_WARN(...) ::vireo::log(::vireo::LogLevel::WARNING, __VA_ARGS__)
#define VLOG_INFO(...) ::vireo::log(::vireo::LogLevel::INFO, __VA_ARGS__)
#define VLOG_DEBUG(...) ::vireo::log(::vireo::LogLevel::DEBUG, __VA_ARGS__)
