// The guest's fast paths (system calls, hypercalls, the iret, exceptions,
// event delivery) are linked together at the start of the image, and
// the data they always read at the start of .data.
//
// Why: under TCG every CR3 load empties QEMU's whole TLB, and a guest
// system call crosses two of them (kernel tables in, user tables out).
// After each, every distinct page the hypervisor touches costs a refill, a
// software page walk. Spread over the image, one round trip touched 31
// code pages; kept together they fit in a few. Mark only what those paths
// run on every call: a cold function here only dilutes them.
#pragma once

#define VIREO_HOT __attribute__((section(".text.hot")))
// Right after them: what runs often but not on every entry (page-table
// updates, timers, the frequent hypercalls), so that it does not push the
// system-call path over more pages.
#define VIREO_WARM __attribute__((section(".text.warm")))
// The same for the few variables those paths read on every entry (the
// hypercall table, the platform hooks, the hypervisor lock): one page.
#define VIREO_HOT_DATA __attribute__((section(".data.hot")))
