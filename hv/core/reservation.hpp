// A domain's reservation: the frames it owns, counted by tot_pages. After
// the builder, frames join and leave a running domain only through here
// (memory_op), so the count and the frame table always agree.
//
// Invariants:
// - tot_pages never passes max_pages: a frame joins only if there is room.
// - A frame that joins is zeroed (free memory holds whatever firmware left,
//   or a scrubbed frame) and has no M2P entry until the domain names it.
// - A frame leaves only if the domain owns it and nothing but the owner's
//   reference holds it: no mapping, no type, no pin, and it is not a page
//   the hypervisor keeps using on the domain's behalf (shared_info, the
//   console ring). Xen instead lets a frame in use go when its last user
//   does; refusing keeps the frame table free of frames that are owned but
//   no longer counted.
// - A frame that leaves is scrubbed and its M2P entry made invalid before
//   the allocator can hand it out again. The caller flushes the TLB before
//   returning to any guest: a guest may drop its last mapping without one.
#pragma once

#include <stdint.h>

#include "hv/core/domain.hpp"
#include "lib/status.hpp"
#include "lib/types.hpp"

namespace vireo {

inline constexpr uint64_t kInvalidM2p = ~uint64_t{0};

// The largest extent order `caller` may ask for: Xen's memop-max-order
// defaults on x86 (PAGETABLE_ORDER for a domU, MAX_ORDER for the control
// domain).
unsigned max_extent_order(const Domain& caller);

// 2^order frames for d, in one aligned run when order > 0, every one below
// frame `limit` (0: anywhere): zeroed, with no M2P entry, counted in
// tot_pages. TOO_BIG when that would pass max_pages, NO_MEMORY when no such
// frames are free; nothing changes on failure.
Result<Mfn> reservation_grow(Domain& d, unsigned order, uint64_t limit);
// Names the 2^order frames from base in the M2P as gpfn onwards.
void reservation_map(Mfn base, unsigned order, uint64_t gpfn);

// Whether d may give mfn back: OK; INVALID for no such frame, PERMISSION
// when d does not own it, BUSY while it is in use.
Status reservation_can_release(const Domain& d, Mfn mfn);
// Checks, then gives one frame back (tot_pages drops by one).
Status reservation_release(Domain& d, Mfn mfn);

// Exchange swaps frames one for one, so tot_pages stays as it is: the new
// frames are taken and the old ones given without counting. A claimed
// frame passed reservation_can_release and holds one more reference, so
// it can be neither claimed twice nor released until it is given or
// unclaimed.
Result<Mfn> reservation_take(Domain& d, unsigned order, uint64_t limit);
void reservation_give(Domain& d, Mfn mfn);
Status reservation_claim(Domain& d, Mfn mfn);
void reservation_unclaim(Mfn mfn);
void reservation_give_claimed(Domain& d, Mfn mfn);

}  // namespace vireo
