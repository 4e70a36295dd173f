// The guest's fast paths (system calls, hypercalls, the iret, exceptions,
// event delivery) are linked together at the start of the image.
//
// Why: under TCG every CR3 load empties QEMU's whole TLB, and a guest
// system call crosses two of them (kernel tables in, user tables out).
// After each, every distinct page the hypervisor touches costs a refill, a
// software page walk. Spread over the image, one round trip touched 31
// code pages; kept together they fit in a few. Mark only what those paths
// run on every call: a cold function here only dilutes them.
#pragma once

#define VIREO_HOT __attribute__((section(".text.hot")))
