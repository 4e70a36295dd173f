// A domain's reservation: the frames it owns, counted by tot_pages. After
// the builder, frames join a running domain only through here (memory_op),
// and leave only through reservation_reclaim, so the count and the frame
// table always agree.
//
// Invariants:
// - tot_pages never passes max_pages: a frame joins only if there is room.
// - A frame that joins is zeroed (free memory holds whatever firmware left,
//   or a scrubbed frame) and has no M2P entry until the domain names it.
// - Giving a frame back drops its allocation reference, as Xen 4.17's
//   guest_remove_page does for a PV domain; the frame may still be mapped,
//   pinned, a base table or a descriptor page. It stays the domain's, and
//   counted in tot_pages (Xen drops tot_pages in free_domheap_pages), until
//   its last reference goes; then reservation_reclaim frees it. Refused:
//   frames the domain does not own, and the pages the hypervisor keeps
//   using on its behalf without a reference (shared_info, the console ring).
// - A frame that leaves is scrubbed, no CPU keeps a stale translation of
//   it, and its M2P entry is invalid before the allocator can hand it out.
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

// Gives one frame of d's back (decrease_reservation): OK, also for a frame
// given back before and still held (Xen finds nothing more to drop);
// INVALID for no such frame, PERMISSION when d does not own it, BUSY for
// a page the hypervisor uses for d. The frame leaves (tot_pages drops by
// one) now if nothing else holds it, else when the last holder lets go.
Status reservation_release(Domain& d, Mfn mfn);

// The frame table's ReclaimFn: a frame given back lost its last reference.
// Uncounts it from its owner, makes sure no CPU still translates to it,
// scrubs it, invalidates its M2P entry and frees it.
void reservation_reclaim(Mfn mfn, uint16_t owner);
// The frame table's AwaitingReclaimFn: keeps Domain::frames_awaiting_reclaim.
void reservation_awaiting_reclaim(uint16_t owner, int delta);

// Exchange swaps frames one for one, so tot_pages ends as it began: the
// new frames are taken (counted, without the max_pages check) and the old
// ones given (uncounted as they leave). A claimed frame is held by nothing
// but its allocation reference and the claim's, so it can be neither
// claimed twice nor released until it is given or unclaimed.
Result<Mfn> reservation_take(Domain& d, unsigned order, uint64_t limit);
void reservation_give(Domain& d, Mfn mfn);
Status reservation_claim(Domain& d, Mfn mfn);
void reservation_unclaim(Mfn mfn);
void reservation_give_claimed(Domain& d, Mfn mfn);

}  // namespace vireo
