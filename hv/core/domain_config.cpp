#include "hv/core/domain_config.hpp"

#include <stdarg.h>

#include "hv/core/cmdline.hpp"
#include "hv/core/scheduler.hpp"
#include "lib/format.hpp"

namespace vireo {
namespace {

struct Text {
    const char* p;
    size_t n;
    bool is(const char* s) const { return __builtin_strlen(s) == n && __builtin_memcmp(p, s, n) == 0; }
};

bool parse_uint(Text t, uint64_t max, uint64_t& out)
{
    if (t.n == 0 || t.n > 19)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < t.n; ++i) {
        if (t.p[i] < '0' || t.p[i] > '9')
            return false;
        v = v * 10 + static_cast<uint64_t>(t.p[i] - '0');
    }
    if (v > max)
        return false;
    out = v;
    return true;
}

class LineParser {
public:
    LineParser(const char* p, size_t n, unsigned line, unsigned nr_modules, void (*report)(const char*))
        : p_(p), end_(p + n), line_(line), nr_modules_(nr_modules), report_(report)
    {
    }

    // False (after reporting) when the line is bad.
    bool parse(DomainSpec& spec)
    {
        spec = DomainSpec{};
        spec.line = line_;
        Text word{};
        if (!next_word(word) || !word.is("domain"))
            return fail("'%.*s': expected 'domain name=... kernel=... memory=...'", static_cast<int>(word.n),
                        word.p);
        uint64_t warp_us = 0;
        bool have_memory = false;
        while (skip_spaces()) {
            Text key{}, value{};
            if (!next_pair(key, value))
                return false;
            uint64_t v = 0;
            if (key.is("name")) {
                if (value.n == 0 || value.n >= kDomainNameLen)
                    return fail("name must be 1 to %u characters", kDomainNameLen - 1);
                for (size_t i = 0; i < value.n; ++i) {
                    char c = value.p[i];
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                              c == '-' || c == '_' || c == '.';
                    if (!ok)
                        return fail("name '%.*s' may hold only letters, digits, '-', '_' and '.'",
                                    static_cast<int>(value.n), value.p);
                }
                __builtin_memcpy(spec.name, value.p, value.n);
                spec.name[value.n] = '\0';
            } else if (key.is("kernel") || key.is("ramdisk")) {
                if (!parse_uint(value, nr_modules_, v) || v < 2)
                    return fail("%.*s=%.*s: not a boot module (2 to %u; module 1 is dom0's kernel)",
                                static_cast<int>(key.n), key.p, static_cast<int>(value.n), value.p, nr_modules_);
                (key.is("kernel") ? spec.kernel_module : spec.ramdisk_module) = static_cast<unsigned>(v);
            } else if (key.is("memory")) {
                if (!parse_size(value.p, value.n, spec.memory_bytes) || spec.memory_bytes < (1u << 20) ||
                    spec.memory_bytes > (uint64_t{1} << 40))
                    return fail("memory=%.*s: give a size from 1M to 1T (K, M or G suffix)",
                                static_cast<int>(value.n), value.p);
                have_memory = true;
            } else if (key.is("vcpus")) {
                if (!parse_uint(value, kMaxVcpusPerDomain, v) || v == 0)
                    return fail("vcpus=%.*s: give 1 to %u", static_cast<int>(value.n), value.p,
                                kMaxVcpusPerDomain);
                spec.vcpus = static_cast<unsigned>(v);
            } else if (key.is("mcu_advance")) {
                if (!parse_uint(value, 10000, v) || v == 0)
                    return fail("mcu_advance=%.*s: give 1 to 10000", static_cast<int>(value.n), value.p);
                spec.bvt.mcu_advance = static_cast<uint32_t>(v);
            } else if (key.is("warp") || key.is("warp_limit") || key.is("unwarp")) {
                if (!parse_uint(value, 1000000, v))
                    return fail("%.*s=%.*s: give microseconds, at most 1000000", static_cast<int>(key.n), key.p,
                                static_cast<int>(value.n), value.p);
                if (key.is("warp"))
                    warp_us = v;
                else if (key.is("warp_limit"))
                    spec.bvt.warp_limit_ns = v * 1000;
                else
                    spec.bvt.unwarp_req_ns = v * 1000;
            } else if (key.is("cmdline")) {
                if (value.n >= kMaxDomainCmdline)
                    return fail("cmdline longer than %u characters", kMaxDomainCmdline - 1);
                __builtin_memcpy(spec.cmdline, value.p, value.n);
                spec.cmdline[value.n] = '\0';
            } else {
                return fail("unknown key '%.*s' (name, kernel, ramdisk, memory, vcpus, mcu_advance, warp, "
                            "warp_limit, unwarp, cmdline)",
                            static_cast<int>(key.n), key.p);
            }
        }
        if (!spec.name[0])
            return fail("no name=");
        if (!spec.kernel_module)
            return fail("domain '%s': no kernel=", spec.name);
        if (!have_memory)
            return fail("domain '%s': no memory=", spec.name);
        if (!spec.bvt.mcu_advance)
            spec.bvt.mcu_advance = kBvtDefaultMcuAdvance;
        if (warp_us) {
            if (!spec.bvt.warp_limit_ns)
                return fail("domain '%s': warp needs warp_limit (a warp must be bounded)", spec.name);
            spec.bvt.warp_enabled = true;
            spec.bvt.warp = warp_us * 1000 * spec.bvt.mcu_advance;
        }
        return true;
    }

private:
    const char* p_;
    const char* end_;
    unsigned line_;
    unsigned nr_modules_;
    void (*report_)(const char*);

    // True if something other than spaces is left.
    bool skip_spaces()
    {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t'))
            ++p_;
        return p_ < end_;
    }

    bool next_word(Text& w)
    {
        skip_spaces();
        const char* start = p_;
        while (p_ < end_ && *p_ != ' ' && *p_ != '\t')
            ++p_;
        w = {start, static_cast<size_t>(p_ - start)};
        return w.n > 0;
    }

    // key=value or key="value with spaces".
    bool next_pair(Text& key, Text& value)
    {
        const char* start = p_;
        while (p_ < end_ && *p_ != '=' && *p_ != ' ' && *p_ != '\t')
            ++p_;
        key = {start, static_cast<size_t>(p_ - start)};
        if (p_ >= end_ || *p_ != '=')
            return fail("'%.*s' is not key=value", static_cast<int>(key.n), key.p);
        ++p_;
        if (p_ < end_ && *p_ == '"') {
            const char* vstart = ++p_;
            while (p_ < end_ && *p_ != '"')
                ++p_;
            if (p_ >= end_)
                return fail("%.*s: unterminated quote", static_cast<int>(key.n), key.p);
            value = {vstart, static_cast<size_t>(p_ - vstart)};
            ++p_;
            return true;
        }
        const char* vstart = p_;
        while (p_ < end_ && *p_ != ' ' && *p_ != '\t')
            ++p_;
        value = {vstart, static_cast<size_t>(p_ - vstart)};
        return true;
    }

    [[gnu::format(printf, 2, 3)]] bool fail(const char* fmt, ...)
    {
        char msg[224];
        va_list ap;
        va_start(ap, fmt);
        vformat_to(msg, sizeof msg, fmt, ap);
        va_end(ap);
        char line[256];
        format_to(line, sizeof line, "domain config line %u: %s", line_, msg);
        if (report_)
            report_(line);
        return false;
    }
};

}  // namespace

bool is_domain_config(const uint8_t* data, size_t size)
{
    size_t n = sizeof(kDomainConfigMagic) - 1;
    return data && size >= n && __builtin_memcmp(data, kDomainConfigMagic, n) == 0 &&
           (size == n || data[n] == '\n' || data[n] == '\r');
}

void parse_domain_config(const char* text, size_t size, unsigned nr_modules, DomainConfig& out,
                         void (*report)(const char* message))
{
    out.count = 0;
    out.errors = 0;
    size_t pos = 0;
    for (unsigned line = 1; pos < size; ++line) {
        size_t start = pos;
        while (pos < size && text[pos] != '\n')
            ++pos;
        size_t end = pos;
        ++pos;  // past the newline
        if (end > start && text[end - 1] == '\r')
            --end;
        size_t first = start;
        while (first < end && (text[first] == ' ' || text[first] == '\t'))
            ++first;
        if (first == end || text[first] == '#')
            continue;
        DomainSpec spec;
        LineParser parser(text + first, end - first, line, nr_modules, report);
        if (!parser.parse(spec)) {
            ++out.errors;
            continue;
        }
        bool duplicate = false;
        for (unsigned i = 0; i < out.count; ++i)
            duplicate |= __builtin_strcmp(out.domains[i].name, spec.name) == 0;
        if (duplicate || out.count == kMaxBootDomains) {
            char msg[160];
            if (duplicate)
                format_to(msg, sizeof msg, "domain config line %u: a domain named '%s' is already defined", line,
                          spec.name);
            else
                format_to(msg, sizeof msg, "domain config line %u: more than %u domains", line, kMaxBootDomains);
            if (report)
                report(msg);
            ++out.errors;
            continue;
        }
        out.domains[out.count++] = spec;
    }
}

}  // namespace vireo
