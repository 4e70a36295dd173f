#include "hv/arch/x86_64/multiboot.hpp"

#include "hv/arch/x86_64/layout.hpp"

namespace vireo::arch {
namespace {

// Multiboot1 info (Multiboot Specification 0.6.96, section 3.3).
struct [[gnu::packed]] Mb1Info {
    uint32_t flags;           // 0
    uint32_t mem_lower;       // 4
    uint32_t mem_upper;       // 8
    uint32_t boot_device;     // 12
    uint32_t cmdline;         // 16
    uint32_t mods_count;      // 20
    uint32_t mods_addr;       // 24
    uint32_t syms[4];         // 28
    uint32_t mmap_length;     // 44
    uint32_t mmap_addr;       // 48
    uint32_t drives_length;   // 52
    uint32_t drives_addr;     // 56
    uint32_t config_table;    // 60
    uint32_t boot_loader_name;  // 64
};
static_assert(sizeof(Mb1Info) == 68);

struct [[gnu::packed]] Mb1Module {
    uint32_t start, end, cmdline, reserved;
};

struct [[gnu::packed]] Mb1MmapEntry {
    uint32_t size;  // of the rest of the entry
    uint64_t base;
    uint64_t length;
    uint32_t type;
};

constexpr uint32_t kMb1FlagCmdline = 1u << 2;
constexpr uint32_t kMb1FlagMods = 1u << 3;
constexpr uint32_t kMb1FlagMmap = 1u << 6;
constexpr uint32_t kMb1FlagLoaderName = 1u << 9;

// Multiboot2 tags (Multiboot2 Specification, section 3.6).
enum : uint32_t {
    kMb2TagEnd = 0, kMb2TagCmdline = 1, kMb2TagLoaderName = 2, kMb2TagModule = 3,
    kMb2TagMmap = 6, kMb2TagAcpiOld = 14, kMb2TagAcpiNew = 15,
};

const char* str_at(uint64_t paddr) { return paddr ? phys_to_virt<const char>(paddr) : ""; }

void add_range(BootInfo& out, uint64_t base, uint64_t length, uint32_t type)
{
    if (out.range_count < kMaxFirmwareRanges)
        out.ranges[out.range_count++] = {base, length, type};
}

void add_module(BootInfo& out, uint64_t start, uint64_t end, const char* cmdline)
{
    if (out.module_count < kMaxBootModules)
        out.modules[out.module_count++] = {start, end, cmdline};
}

bool parse_mb1(uint32_t info_paddr, BootInfo& out, const char** error)
{
    auto* info = phys_to_virt<const Mb1Info>(info_paddr);
    out.info_start = info_paddr;
    out.info_end = info_paddr + sizeof(Mb1Info);
    if (info->flags & kMb1FlagCmdline)
        out.cmdline = str_at(info->cmdline);
    if (info->flags & kMb1FlagLoaderName)
        out.loader_name = str_at(info->boot_loader_name);
    if (info->flags & kMb1FlagMods) {
        auto* mods = phys_to_virt<const Mb1Module>(info->mods_addr);
        for (uint32_t i = 0; i < info->mods_count; ++i)
            add_module(out, mods[i].start, mods[i].end, str_at(mods[i].cmdline));
    }
    if (!(info->flags & kMb1FlagMmap)) {
        *error = "multiboot1 loader gave no memory map";
        return false;
    }
    uint64_t p = info->mmap_addr, end = p + info->mmap_length;
    while (p + sizeof(Mb1MmapEntry) <= end) {
        auto* e = phys_to_virt<const Mb1MmapEntry>(p);
        add_range(out, e->base, e->length, e->type);
        p += e->size + sizeof(e->size);
    }
    return true;
}

bool parse_mb2(uint32_t info_paddr, BootInfo& out, const char** error)
{
    auto* base = phys_to_virt<const uint8_t>(info_paddr);
    uint32_t total = *reinterpret_cast<const uint32_t*>(base);
    out.info_start = info_paddr;
    out.info_end = info_paddr + total;
    bool have_mmap = false;
    for (uint32_t off = 8; off + 8 <= total;) {
        auto* tag = reinterpret_cast<const uint32_t*>(base + off);
        uint32_t type = tag[0], size = tag[1];
        if (type == kMb2TagEnd || size < 8)
            break;
        const uint8_t* body = base + off + 8;
        switch (type) {
        case kMb2TagCmdline: out.cmdline = reinterpret_cast<const char*>(body); break;
        case kMb2TagLoaderName: out.loader_name = reinterpret_cast<const char*>(body); break;
        case kMb2TagModule: {
            auto* m = reinterpret_cast<const uint32_t*>(body);
            add_module(out, m[0], m[1], reinterpret_cast<const char*>(body + 8));
            break;
        }
        case kMb2TagMmap: {
            uint32_t entry_size = *reinterpret_cast<const uint32_t*>(body);
            if (entry_size < 24)
                break;
            // Entries follow the tag header (8 bytes), entry_size and entry_version.
            for (uint32_t e = 16; e + entry_size <= size; e += entry_size) {
                const uint8_t* ent = base + off + e;
                uint64_t b, l;
                uint32_t t;
                __builtin_memcpy(&b, ent, 8);
                __builtin_memcpy(&l, ent + 8, 8);
                __builtin_memcpy(&t, ent + 16, 4);
                add_range(out, b, l, t);
            }
            have_mmap = true;
            break;
        }
        case kMb2TagAcpiOld:
        case kMb2TagAcpiNew:
            out.acpi_rsdp = virt_to_phys(body);
            break;
        default: break;
        }
        off += (size + 7) & ~7u;
    }
    if (!have_mmap) {
        *error = "multiboot2 loader gave no memory map";
        return false;
    }
    return true;
}

// Loaders pass "image-path options": the options start after the first word.
const char* skip_image_name(const char* s)
{
    while (*s == ' ')
        ++s;
    while (*s && *s != ' ')
        ++s;
    while (*s == ' ')
        ++s;
    return s;
}

}  // namespace

bool parse_multiboot(uint32_t magic, uint32_t info_paddr, BootInfo& out, const char** error)
{
    bool ok;
    if (magic == kMultiboot1Magic) {
        ok = parse_mb1(info_paddr, out, error);
    } else if (magic == kMultiboot2Magic) {
        ok = parse_mb2(info_paddr, out, error);
    } else {
        *error = "not started by a multiboot loader (bad magic)";
        return false;
    }
    out.cmdline_full = out.cmdline;
    out.cmdline = skip_image_name(out.cmdline);
    return ok;
}

}  // namespace vireo::arch
