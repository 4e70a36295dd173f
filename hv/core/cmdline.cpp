#include "hv/core/cmdline.hpp"

#include "hv/core/log.hpp"

namespace vireo {
namespace {

bool starts_with(const char* s, size_t n, const char* prefix)
{
    size_t k = __builtin_strlen(prefix);
    return n >= k && __builtin_memcmp(s, prefix, k) == 0;
}

// "n" (1..999) as a vCPU count.
bool parse_count(const char* s, size_t n, unsigned& out)
{
    unsigned v = 0;
    for (size_t i = 0; i < n; ++i) {
        if (s[i] < '0' || s[i] > '9' || i >= 3)
            return false;
        v = v * 10 + static_cast<unsigned>(s[i] - '0');
    }
    if (n == 0 || v == 0)
        return false;
    out = v;
    return true;
}

// "n" or "min-max"; either bound may be left out ("2-", "-4"), as in Xen.
bool parse_vcpu_range(const char* s, size_t n, unsigned& min, unsigned& max)
{
    size_t dash = n;
    for (size_t i = 0; i < n; ++i)
        if (s[i] == '-')
            dash = i;
    if (dash == n) {
        unsigned v;
        if (!parse_count(s, n, v))
            return false;
        min = max = v;
        return true;
    }
    unsigned lo = 1, hi = ~0u;
    if (dash > 0 && !parse_count(s, dash, lo))
        return false;
    if (dash + 1 < n && !parse_count(s + dash + 1, n - dash - 1, hi))
        return false;
    if (lo > hi)
        return false;
    min = lo;
    max = hi;
    return true;
}

// Xen's "dom0_mem=X", "X,max:Y", "max:Y", "min:Z,X,max:Y": X is what dom0
// starts with, Y how far its balloon may grow it (its maximum
// reservation). Xen's min: only matters when X is left to the hypervisor
// to choose; it is accepted and unused. A bad item leaves opts unchanged.
bool parse_dom0_mem(const char* s, size_t n, HypervisorOptions& opts)
{
    uint64_t mem = opts.dom0_mem_bytes, max = opts.dom0_max_bytes;
    for (size_t begin = 0; begin <= n;) {
        size_t end = begin;
        while (end < n && s[end] != ',')
            ++end;
        const char* item = s + begin;
        size_t len = end - begin;
        uint64_t ignored;
        bool ok = starts_with(item, len, "max:")   ? parse_size(item + 4, len - 4, max)
                  : starts_with(item, len, "min:") ? parse_size(item + 4, len - 4, ignored)
                                                   : parse_size(item, len, mem);
        if (!ok)
            return false;
        begin = end + 1;
    }
    opts.dom0_mem_bytes = mem;
    opts.dom0_max_bytes = max;
    return true;
}

}  // namespace

unsigned dom0_vcpu_count(const HypervisorOptions& opts, unsigned nr_cpus, unsigned limit)
{
    unsigned n = nr_cpus;
    if (n < opts.dom0_vcpus_min)
        n = opts.dom0_vcpus_min;
    if (n > opts.dom0_vcpus_max)
        n = opts.dom0_vcpus_max;
    return n < 1 ? 1 : n > limit ? limit : n;
}

bool parse_size(const char* s, size_t n, uint64_t& out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; ++i) {
        if (v > (~uint64_t{0} - 9) / 10)
            return false;
        v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    }
    if (i == 0)
        return false;
    unsigned shift = 0;
    if (i < n) {
        switch (s[i]) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        default: return false;
        }
        ++i;
    }
    if (i != n || (shift && v > (~uint64_t{0} >> shift)))
        return false;
    out = v << shift;
    return true;
}

HypervisorOptions parse_cmdline(const char* cmdline)
{
    HypervisorOptions opts;
    const char* p = cmdline;
    while (*p) {
        while (*p == ' ')
            ++p;
        const char* start = p;
        while (*p && *p != ' ')
            ++p;
        size_t n = static_cast<size_t>(p - start);
        if (n == 0)
            break;
        if (starts_with(start, n, "console=") || starts_with(start, n, "com1=")) {
            // COM1 is the only console; accepted for Xen compatibility.
        } else if (starts_with(start, n, "loglvl=")) {
            char name[16] = {};
            size_t k = n - 7 < sizeof(name) - 1 ? n - 7 : sizeof(name) - 1;
            __builtin_memcpy(name, start + 7, k);
            LogLevel level;
            if (log_parse_level(name, level)) {
                opts.log_level = static_cast<unsigned>(level);
                opts.log_level_given = true;
            } else {
                VLOG_WARN("command line: unknown loglvl '%s' (error|warning|info|debug)\n", name);
            }
        } else if (starts_with(start, n, "dom0_mem=")) {
            if (!parse_dom0_mem(start + 9, n - 9, opts))
                VLOG_WARN("command line: bad size in '%.*s'\n", static_cast<int>(n), start);
        } else if (starts_with(start, n, "dom0_max_vcpus=")) {
            if (!parse_vcpu_range(start + 15, n - 15, opts.dom0_vcpus_min, opts.dom0_vcpus_max))
                VLOG_WARN("command line: bad vCPU count in '%.*s' (n or min-max)\n", static_cast<int>(n), start);
        } else {
            VLOG_WARN("command line: unknown option '%.*s' ignored\n", static_cast<int>(n), start);
        }
    }
    return opts;
}

const char* module_args(const char* module_cmdline)
{
    const char* p = module_cmdline;
    while (*p && *p != ' ')
        ++p;
    while (*p == ' ')
        ++p;
    return p;
}

}  // namespace vireo

namespace vireo {
namespace {
const char* g_command_line = "";
}
void set_hypervisor_command_line(const char* cmdline) { g_command_line = cmdline ? cmdline : ""; }
const char* hypervisor_command_line() { return g_command_line; }
}  // namespace vireo
