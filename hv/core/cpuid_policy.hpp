// Which CPU features a PV guest is shown: Xen 4.17's default PV policy
// (the features its public cpufeatureset.h marks 'A', available to all
// guests by default), as masks per CPUID register. A unit test recomputes
// them from libxen-dev's header, so they cannot drift. Notably absent:
// PSE, PSE36, PGE and 1 GiB pages (PV page tables take no superpages and
// no global bit), MTRR, x2APIC, MONITOR, PCID/INVPCID.
#pragma once

#include <stdint.h>

namespace vireo {

struct CpuidPolicyWord {
    unsigned xen_word;  // index in Xen's featureset
    uint32_t mask;
};

inline constexpr uint32_t kPvLeaf1Edx = 0x1fc9cbf5;   // word 0
inline constexpr uint32_t kPvLeaf1Ecx = 0xf6d83203;   // word 1
inline constexpr uint32_t kPvExt1Edx = 0xea500800;    // word 2: 0x80000001 EDX
inline constexpr uint32_t kPvExt1Ecx = 0x042109e3;    // word 3: 0x80000001 ECX
inline constexpr uint32_t kPvLeaf7Ebx = 0xfdaf0b29;   // word 5
inline constexpr uint32_t kPvLeaf7Ecx = 0x02405f43;   // word 6
inline constexpr uint32_t kPvLeaf7Edx = 0xac00441c;   // word 9

inline constexpr CpuidPolicyWord kPvPolicyWords[] = {
    {0, kPvLeaf1Edx}, {1, kPvLeaf1Ecx}, {2, kPvExt1Edx}, {3, kPvExt1Ecx},
    {5, kPvLeaf7Ebx}, {6, kPvLeaf7Ecx}, {9, kPvLeaf7Edx},
};

}  // namespace vireo
