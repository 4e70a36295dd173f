// The hypervisor's boot command line: "console=com1 loglvl=debug ...".
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

struct HypervisorOptions {
    uint64_t dom0_mem_bytes = 0;  // 0: the default share
    unsigned log_level = 2;       // LogLevel::INFO
    bool log_level_given = false;
};

// Unknown options are reported and ignored, as Xen does.
HypervisorOptions parse_cmdline(const char* cmdline);
// "512M", "2G", "1048576K" or plain bytes.
bool parse_size(const char* s, size_t n, uint64_t& out);
// Splits "path args..." (a boot module's string) into its arguments.
const char* module_args(const char* module_cmdline);

}  // namespace vireo

namespace vireo {
// The command line as given, for XENVER_commandline.
void set_hypervisor_command_line(const char* cmdline);
const char* hypervisor_command_line();
}  // namespace vireo
