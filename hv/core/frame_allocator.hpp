// The machine-frame allocator: a free list threaded through the frame
// table (PageInfo::next), so it needs no memory of its own. Frames come
// from the RAM of the memory map once the hypervisor has taken what it
// keeps. Single frames come off the list's head in constant time; the rare
// request for a contiguous or address-limited run (a guest's DMA buffer)
// scans for one. Contiguous boot-time needs are met by MemoryMap::take
// before the allocator starts.
#pragma once

#include "hv/core/frame_table.hpp"
#include "hv/core/memory_map.hpp"

namespace vireo {

class FrameAllocator {
public:
    // Puts every RAM frame of `map` below the table's end on the free list.
    void init(FrameTable& table, const MemoryMap& map);
    // A free frame, now owned by `owner` with one reference.
    Result<Mfn> alloc(uint16_t owner);
    // 2^order free frames in a run aligned to its size, every frame below
    // `limit` (a frame number; 0: anywhere), now owned by `owner` with one
    // reference each. NO_MEMORY when no such run is free. Linear in the
    // number of frames: for rare requests only.
    Result<Mfn> alloc_contiguous(unsigned order, uint64_t limit, uint16_t owner);
    // Hands the allocator `count` frames from `first` that the hypervisor
    // took from the memory map before init (boot-time scratch).
    void give(Mfn first, uint64_t count);
    // Returns a frame; its contents must already be scrubbed if a guest had it.
    Status free(Mfn mfn, uint16_t owner);
    uint64_t free_frames() const { return m_free; }
    // Every frame the allocator was given (init and give): the RAM that
    // domains can have, free or not (sysctl physinfo's total_pages).
    uint64_t total_frames() const { return m_total; }

private:
    static constexpr uint32_t kEnd = 0xffffffff;
    FrameTable* m_table = nullptr;
    uint32_t m_head = kEnd;
    uint64_t m_free = 0;
    uint64_t m_total = 0;
};

FrameAllocator& frame_allocator();
FrameTable& frame_table();

}  // namespace vireo
