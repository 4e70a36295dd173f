// Vireo's side of the ABI comparison: sizes, offsets and constants from
// abi/, exported as plain numbers. Kept apart from Xen's headers, whose
// macros would collide with the names here.
#include <cstddef>

#include "abi/arch_x86_64.hpp"
#include "abi/callback.hpp"
#include "abi/domctl.hpp"
#include "abi/elfnote.hpp"
#include "abi/event_channel.hpp"
#include "abi/physdev.hpp"
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/platform.hpp"
#include "abi/sched.hpp"
#include "abi/sysctl.hpp"
#include "abi/vcpu.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "tests/unit/abi_table.hpp"

#define F(s, f) {#s "." #f, offsetof(xen::s, f)}
#define Z(s) {"sizeof " #s, sizeof(xen::s)}
#define C(name) {#name, static_cast<unsigned long long>(xen::name)}
#define CH(name) {"HYPERVISOR_" #name, static_cast<unsigned long long>(xen::HYPERVISOR_##name)}

const AbiEntry kOurAbi[] = {
#include "tests/unit/abi_entries.inc"
};
const size_t kOurAbiCount = sizeof(kOurAbi) / sizeof(kOurAbi[0]);
