#include "hv/core/cmdline.hpp"

#include "hv/core/log.hpp"

namespace vireo {
namespace {

bool starts_with(const char* s, size_t n, const char* prefix)
{
    size_t k = __builtin_strlen(prefix);
    return n >= k && __builtin_memcmp(s, prefix, k) == 0;
}

}  // namespace

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
            const char* v = start + 9;
            size_t vn = n - 9;
            for (size_t i = 0; i < vn; ++i)
                if (v[i] == ',')
                    vn = i;  // "dom0_mem=X,max:Y": the first size is the one used
            if (!parse_size(v, vn, opts.dom0_mem_bytes))
                VLOG_WARN("command line: bad size in '%.*s'\n", static_cast<int>(n), start);
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
