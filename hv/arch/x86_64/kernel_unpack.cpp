#include "hv/arch/x86_64/kernel_unpack.hpp"

#include "hv/arch/x86_64/layout.hpp"
#include "hv/core/bzimage.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/log.hpp"

namespace vireo::arch {
namespace {

struct Unpacked {
    uint64_t paddr, bytes;
    unsigned module;  // 1-based
};
Unpacked g_unpacked[kMaxBootModules];
unsigned g_unpacked_count = 0;

// 28 KiB of decoder state: far too big for a hypervisor stack; boot is
// single-threaded.
XzWorkspace g_xz;

}  // namespace

void unpack_kernel_modules(BootInfo& info, MemoryMap& map, uint64_t below)
{
    for (unsigned i = 0; i < info.module_count; ++i) {
        BootModule& m = info.modules[i];
        auto* data = phys_to_virt<const uint8_t>(m.start);
        size_t size = m.end - m.start;
        if (!is_bzimage(data, size))
            continue;
        BzImagePayload p;
        ImageError e = find_bzimage_payload(data, size, p);
        if (!e.ok()) {
            VLOG_ERR("module %u ('%s'): %s\n", i + 1, m.cmdline, e.what);
            continue;
        }
        uint64_t bytes = page_align_up(p.uncompressed_size);
        uint64_t paddr = map.take(bytes, kPageSize, below);
        if (!paddr) {
            VLOG_ERR("module %u ('%s'): no memory to unpack the bzImage (%lu MiB)\n", i + 1, m.cmdline, bytes >> 20);
            continue;
        }
        e = unpack_bzimage_payload(p, phys_to_virt<uint8_t>(paddr), bytes, g_xz);
        if (!e.ok()) {
            VLOG_ERR("module %u ('%s'): bzImage payload: %s%s%s\n", i + 1, m.cmdline, e.what,
                     g_xz.error ? ": " : "", g_xz.error ? g_xz.error : "");
            continue;  // the memory stays taken: boot goes on without it
        }
        VLOG_INFO("Module %u: bzImage unpacked, %lu KiB of xz into a %lu KiB kernel\n", i + 1, p.payload_len >> 10,
                  p.uncompressed_size >> 10);
        m.start = paddr;
        m.end = paddr + p.uncompressed_size;
        g_unpacked[g_unpacked_count++] = {paddr, bytes, i + 1};
    }
}

void release_unpacked_kernels(bool (*still_needed)(unsigned module))
{
    unsigned kept = 0;
    for (unsigned i = 0; i < g_unpacked_count; ++i) {
        if (still_needed && still_needed(g_unpacked[i].module)) {
            g_unpacked[kept++] = g_unpacked[i];
            continue;
        }
        frame_allocator().give(Mfn(g_unpacked[i].paddr >> kPageShift), g_unpacked[i].bytes >> kPageShift);
    }
    g_unpacked_count = kept;
}

}  // namespace vireo::arch
