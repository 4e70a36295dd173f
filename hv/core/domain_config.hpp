// The boot-time domain configuration: a boot module of text that starts
// several domains without a toolstack, each with its kernel and ramdisk
// (boot modules), memory, vCPUs and BVT parameters. One domain per line:
//
//   #!vireo-domains
//   # comments and blank lines are ignored
//   domain name=web kernel=3 ramdisk=4 memory=64M vcpus=2 mcu_advance=10 cmdline="console=hvc0"
//   domain name=rt kernel=3 memory=16M warp=2000 warp_limit=5000 unwarp=20000
//
// Module numbers count from 1 as Xen's do (module 1 is dom0's kernel);
// warp, warp_limit and unwarp are in microseconds (warp of CPU time at the
// domain's own rate). A bad line is reported with its number and what is
// wrong, and only that domain is left out.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/domain.hpp"

namespace vireo {

inline constexpr char kDomainConfigMagic[] = "#!vireo-domains";
inline constexpr unsigned kMaxBootDomains = 16;
inline constexpr unsigned kMaxDomainCmdline = 256;

struct DomainSpec {
    unsigned line = 0;
    char name[kDomainNameLen] = {};
    unsigned kernel_module = 0;   // 1-based
    unsigned ramdisk_module = 0;  // 0: none
    uint64_t memory_bytes = 0;
    unsigned vcpus = 1;
    BvtParams bvt;
    char cmdline[kMaxDomainCmdline] = {};
};

struct DomainConfig {
    DomainSpec domains[kMaxBootDomains];
    unsigned count = 0;
    unsigned errors = 0;
};

bool is_domain_config(const uint8_t* data, size_t size);
// Parses the text; `report` receives one message per bad line (already
// naming the line). nr_modules bounds the module numbers.
void parse_domain_config(const char* text, size_t size, unsigned nr_modules, DomainConfig& out,
                         void (*report)(const char* message));

}  // namespace vireo
