#include "lib/format.hpp"

#include <stdint.h>

namespace vireo {
namespace {

struct Spec {
    bool left = false;
    bool zero = false;
    unsigned width = 0;
    int precision = -1;  // strings only: at most this many characters
    int length = 0;  // 0: int, 1: long, 2: long long, 3: size_t
};

void pad(CharSink& sink, char c, unsigned n)
{
    char chunk[16];
    for (auto& ch : chunk)
        ch = c;
    while (n > 0) {
        unsigned k = n < sizeof(chunk) ? n : sizeof(chunk);
        sink.put(chunk, k);
        n -= k;
    }
}

void emit(CharSink& sink, const Spec& spec, const char* s, size_t n, const char* sign = "")
{
    size_t sign_len = sign[0] ? 1 : 0;
    size_t total = n + sign_len;
    unsigned fill = spec.width > total ? spec.width - static_cast<unsigned>(total) : 0;
    if (!spec.left && !spec.zero)
        pad(sink, ' ', fill);
    if (sign_len)
        sink.put(sign, 1);
    if (!spec.left && spec.zero)
        pad(sink, '0', fill);
    sink.put(s, n);
    if (spec.left)
        pad(sink, ' ', fill);
}

void emit_unsigned(CharSink& sink, const Spec& spec, uint64_t v, unsigned base, bool upper,
                   const char* sign = "")
{
    const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char buf[24];
    size_t i = sizeof(buf);
    do {
        buf[--i] = digits[v % base];
        v /= base;
    } while (v != 0);
    emit(sink, spec, buf + i, sizeof(buf) - i, sign);
}

}  // namespace

void vformat(CharSink& sink, const char* fmt, va_list ap)
{
    while (*fmt) {
        if (*fmt != '%') {
            const char* start = fmt;
            while (*fmt && *fmt != '%')
                ++fmt;
            sink.put(start, static_cast<size_t>(fmt - start));
            continue;
        }
        ++fmt;
        Spec spec;
        for (;; ++fmt) {
            if (*fmt == '-')
                spec.left = true;
            else if (*fmt == '0')
                spec.zero = true;
            else
                break;
        }
        while (*fmt >= '0' && *fmt <= '9')
            spec.width = spec.width * 10 + static_cast<unsigned>(*fmt++ - '0');
        if (*fmt == '.') {
            ++fmt;
            spec.precision = 0;
            if (*fmt == '*') {
                spec.precision = va_arg(ap, int);
                ++fmt;
            }
            while (*fmt >= '0' && *fmt <= '9')
                spec.precision = spec.precision * 10 + (*fmt++ - '0');
        }
        while (*fmt == 'l' || *fmt == 'z') {
            spec.length = *fmt == 'z' ? 3 : spec.length + 1;
            ++fmt;
        }
        char conv = *fmt;
        if (conv == '\0')
            break;
        ++fmt;
        switch (conv) {
        case 'c': {
            char c = static_cast<char>(va_arg(ap, int));
            emit(sink, spec, &c, 1);
            break;
        }
        case 's': {
            const char* s = va_arg(ap, const char*);
            if (!s)
                s = "(null)";
            size_t n = 0;
            while ((spec.precision < 0 || n < static_cast<size_t>(spec.precision)) && s[n])
                ++n;
            emit(sink, spec, s, n);
            break;
        }
        case 'd':
        case 'i': {
            int64_t v = spec.length == 0 ? va_arg(ap, int)
                        : spec.length == 3 ? static_cast<int64_t>(va_arg(ap, size_t))
                                           : va_arg(ap, long long);
            if (spec.length == 1)
                v = static_cast<long>(v);
            uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
            emit_unsigned(sink, spec, mag, 10, false, v < 0 ? "-" : "");
            break;
        }
        case 'u':
        case 'x':
        case 'X': {
            uint64_t v = spec.length == 0 ? va_arg(ap, unsigned)
                         : spec.length == 3 ? va_arg(ap, size_t)
                                            : va_arg(ap, unsigned long long);
            emit_unsigned(sink, spec, v, conv == 'u' ? 10 : 16, conv == 'X');
            break;
        }
        case 'p': {
            auto v = reinterpret_cast<uintptr_t>(va_arg(ap, void*));
            sink.put("0x", 2);
            Spec p = spec;
            p.zero = true;
            p.width = 16;
            emit_unsigned(sink, p, v, 16, false);
            break;
        }
        case '%':
            sink.put("%", 1);
            break;
        default:
            sink.put("%", 1);
            sink.put(&conv, 1);
            break;
        }
    }
}

void format(CharSink& sink, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vformat(sink, fmt, ap);
    va_end(ap);
}

namespace {

class BufferSink final : public CharSink {
public:
    BufferSink(char* buf, size_t size) : m_buf(buf), m_size(size) {}
    void put(const char* s, size_t n) override
    {
        for (size_t i = 0; i < n; ++i, ++m_len)
            if (m_size && m_len < m_size - 1)
                m_buf[m_len] = s[i];
    }
    size_t finish()
    {
        if (m_size)
            m_buf[m_len < m_size ? m_len : m_size - 1] = '\0';
        return m_len;
    }

private:
    char* m_buf;
    size_t m_size;
    size_t m_len = 0;
};

}  // namespace

size_t vformat_to(char* buf, size_t size, const char* fmt, va_list ap)
{
    BufferSink sink(buf, size);
    vformat(sink, fmt, ap);
    return sink.finish();
}

size_t format_to(char* buf, size_t size, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t n = vformat_to(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

}  // namespace vireo
