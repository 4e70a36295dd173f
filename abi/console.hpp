// The PV console ring page (Xen's io/console.h): the guest produces output
// into out[] and consumes input from in[]; indexes run free and are masked.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

struct xencons_interface {
    char in[1024];
    char out[2048];
    uint32_t in_cons, in_prod;
    uint32_t out_cons, out_prod;
};
static_assert(offsetof(xencons_interface, out) == 1024);
static_assert(offsetof(xencons_interface, in_cons) == 3072);
static_assert(offsetof(xencons_interface, out_prod) == 3084);

}  // namespace xen
