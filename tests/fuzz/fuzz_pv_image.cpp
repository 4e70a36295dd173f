// Feeds arbitrary bytes to the PV image parser and, for accepted images,
// the layout planner; checks the invariants an accepted image promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "hv/core/pv_builder.hpp"
#include "hv/core/pv_image.hpp"

using namespace vireo;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    PvImage img;
    ImageError e = parse_pv_image(data, size, pv_supported_features(), img);
    if (!e.ok()) {
        if (!e.what)
            abort();  // every refusal says why
        return 0;
    }
    if (img.entry < img.virt_kstart || img.entry >= img.virt_kend)
        abort();
    for (unsigned i = 0; i < img.segment_count; ++i) {
        const LoadSegment& s = img.segments[i];
        if (s.offset > size || s.filesz > size - s.offset || s.filesz > s.memsz)
            abort();
        if (s.vaddr < img.virt_kstart || s.vaddr + s.memsz > img.virt_kend)
            abort();
    }
    uint64_t pages = size ? data[0] * 1024u + 1 : 1;
    PvLayout l;
    if (plan_pv_layout(img, size, pages, size & 1, l).ok()) {
        if (l.v_end % (4u << 20) || l.v_end < l.stack_start + 4096 + (512u << 10) ||
            (l.v_end - l.v_start) / 4096 > pages || l.pt_start < l.start_info)
            abort();
        // A p2m list apart from the window: its frames follow the window's
        // and fit the domain, its addresses sit in L4 slots of their own.
        if (l.p2m_frames &&
            (l.p2m_pfn != (l.v_end - l.v_start) / 4096 || l.p2m_frames > pages - l.p2m_pfn ||
             l.p2m_end <= l.p2m_start || ((l.p2m_end - 1) >> 39) >= (l.v_start >> 39)))
            abort();
    }
    return 0;
}
