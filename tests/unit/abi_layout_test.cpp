// The ABI test: every size, offset and constant of abi/ equals Debian's
// libxen-dev headers (Xen 4.17, interface 0x00040d00). This TU sees only
// Xen's headers; abi_ours.cpp sees only ours.
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#define __XEN_TOOLS__ 1  // domctl.h is for toolstacks
#include <cstddef>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

extern "C" {
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/physdev.h>
#include <xen/vcpu.h>
#include <xen/memory.h>
// domctl.h pulls in hvm/save.h, which refuses strict ISO mode for its
// anonymous unions; the layouts are the same either way.
#undef __STRICT_ANSI__
#include <xen/domctl.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/platform.h>
#include <xen/sysctl.h>
}

#include "tests/unit/abi_table.hpp"

// Xen's hypercall macros carry two leading underscores.
#define CH(name) {"HYPERVISOR_" #name, static_cast<unsigned long long>(__HYPERVISOR_##name)}
#define NR_VIRQS_ NR_VIRQS
#define F(s, f) {#s "." #f, offsetof(struct s, f)}
#define Z(s) {"sizeof " #s, sizeof(struct s)}
#define C(name) {#name, static_cast<unsigned long long>(name)}

const AbiEntry kXenAbi[] = {
#include "tests/unit/abi_entries.inc"
};
const size_t kXenAbiCount = sizeof(kXenAbi) / sizeof(kXenAbi[0]);

TEST(AbiLayout, EveryEntryMatchesXensHeaders)
{
    ASSERT_EQ(kOurAbiCount, kXenAbiCount);
    for (size_t i = 0; i < kOurAbiCount; ++i) {
        ASSERT_STREQ(kOurAbi[i].name, kXenAbi[i].name);
        EXPECT_EQ(kOurAbi[i].value, kXenAbi[i].value) << kOurAbi[i].name;
    }
}
