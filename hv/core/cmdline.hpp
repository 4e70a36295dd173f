// The hypervisor's boot command line: "console=com1 loglvl=debug ...".
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace vireo {

struct HypervisorOptions {
    uint64_t dom0_mem_bytes = 0;  // 0: the default share
    // dom0_mem=...,max:Y: dom0's maximum reservation. 0: what it starts
    // with, so its balloon can give memory back and take it again but not
    // grow past its start (Xen's default is no limit).
    uint64_t dom0_max_bytes = 0;
    // dom0_max_vcpus=<n> or <min>-<max> (Xen's syntax): dom0 gets one vCPU
    // per physical CPU, kept within [min, max]. Without the option dom0
    // gets one vCPU (Xen gives it one per physical CPU).
    unsigned dom0_vcpus_min = 1;
    unsigned dom0_vcpus_max = 1;
    unsigned log_level = 2;       // LogLevel::INFO
    bool log_level_given = false;
};

// Unknown options are reported and ignored, as Xen does.
HypervisorOptions parse_cmdline(const char* cmdline);
// How many vCPUs dom0 gets on a machine with nr_cpus CPUs (at most limit).
unsigned dom0_vcpu_count(const HypervisorOptions& opts, unsigned nr_cpus, unsigned limit);
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
