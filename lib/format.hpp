// printf-style formatting into any character sink, for freestanding code.
// Supports %c %s %d %i %u %x %X %p %% with flags '-' '0', a width, a
// precision for strings (%.5s, %.*s), and the
// length modifiers l, ll, z. No floating point: nothing in Vireo needs it.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace vireo {

// Receives formatted characters.
class CharSink {
public:
    virtual void put(const char* s, size_t n) = 0;

protected:
    ~CharSink() = default;
};

void vformat(CharSink& sink, const char* fmt, va_list ap);
[[gnu::format(printf, 2, 3)]] void format(CharSink& sink, const char* fmt, ...);

// Formats into a fixed buffer, always NUL-terminated; returns the length that
// the whole output would have had (like snprintf).
[[gnu::format(printf, 3, 4)]] size_t format_to(char* buf, size_t size, const char* fmt, ...);
size_t vformat_to(char* buf, size_t size, const char* fmt, va_list ap);

}  // namespace vireo
