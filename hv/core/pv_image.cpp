#include "hv/core/pv_image.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/elfnote.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

// ELF64 (System V ABI, "ELF-64 Object File Format" 1.5).
constexpr uint8_t kElfClass64 = 2;
constexpr uint8_t kElfData2Lsb = 1;
constexpr uint16_t kEtExec = 2;
constexpr uint16_t kEmX86_64 = 62;
constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint32_t kShtNote = 7;

struct Elf64Header {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
static_assert(sizeof(Elf64Header) == 64);

struct Elf64Phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
static_assert(sizeof(Elf64Phdr) == 56);

struct Elf64Shdr {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
};
static_assert(sizeof(Elf64Shdr) == 64);

ImageError fail(Status s, const char* what) { return {s, what}; }
ImageError invalid(const char* what) { return fail(Status::INVALID, what); }

// [off, off + len) lies inside a buffer of `size` bytes, without overflow.
bool inside(uint64_t off, uint64_t len, size_t size) { return off <= size && len <= size - off; }

template <typename T>
T load(const uint8_t* p)
{
    T v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}

// The x86-64 PV guest may not use the hypervisor's hole.
bool in_hypervisor_range(uint64_t start, uint64_t end)
{
    return start < xen::HYPERVISOR_VIRT_END && end > xen::HYPERVISOR_VIRT_START;
}

struct Notes {
    bool have_xen_version = false;
    bool xen_version_ok = false;
    bool have_entry = false, have_virt_base = false, have_paddr_offset = false;
    bool features_bad = false;
    uint64_t entry = 0, virt_base = 0, paddr_offset = 0, hypercall_page = 0, init_p2m = 0;
    bool mod_start_pfn = false;
    uint32_t required = 0, supported = 0;
    char guest_os[32] = {};
    unsigned count = 0;
};

bool numeric(const uint8_t* desc, uint32_t len, uint64_t& out)
{
    if (len == 8) {
        out = load<uint64_t>(desc);
        return true;
    }
    if (len == 4) {
        out = load<uint32_t>(desc);
        return true;
    }
    return false;
}

bool equals(const uint8_t* desc, uint32_t len, const char* s)
{
    size_t n = __builtin_strlen(s);
    // The note string is NUL-terminated inside its descriptor.
    return len >= n && __builtin_memcmp(desc, s, n) == 0 && (len == n || desc[n] == 0);
}

void apply_note(Notes& notes, uint32_t type, const uint8_t* desc, uint32_t len)
{
    ++notes.count;
    uint64_t v = 0;
    switch (type) {
    case xen::XEN_ELFNOTE_ENTRY: notes.have_entry = numeric(desc, len, notes.entry); break;
    case xen::XEN_ELFNOTE_HYPERCALL_PAGE: numeric(desc, len, notes.hypercall_page); break;
    case xen::XEN_ELFNOTE_VIRT_BASE: notes.have_virt_base = numeric(desc, len, notes.virt_base); break;
    case xen::XEN_ELFNOTE_PADDR_OFFSET: notes.have_paddr_offset = numeric(desc, len, notes.paddr_offset); break;
    case xen::XEN_ELFNOTE_INIT_P2M: numeric(desc, len, notes.init_p2m); break;
    case xen::XEN_ELFNOTE_MOD_START_PFN:
        if (numeric(desc, len, v))
            notes.mod_start_pfn = v != 0;
        break;
    case xen::XEN_ELFNOTE_XEN_VERSION:
        notes.have_xen_version = true;
        notes.xen_version_ok = equals(desc, len, "xen-3.0");
        break;
    case xen::XEN_ELFNOTE_GUEST_OS: {
        uint32_t n = len < sizeof(notes.guest_os) - 1 ? len : sizeof(notes.guest_os) - 1;
        __builtin_memcpy(notes.guest_os, desc, n);
        notes.guest_os[n] = 0;
        break;
    }
    case xen::XEN_ELFNOTE_FEATURES: {
        uint32_t n = 0;
        while (n < len && desc[n])
            ++n;
        uint32_t req = 0, sup = 0;
        if (!parse_feature_string(reinterpret_cast<const char*>(desc), n, req, sup))
            notes.features_bad = true;
        notes.required |= req;
        notes.supported |= sup;
        break;
    }
    case xen::XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (numeric(desc, len, v))
            notes.supported |= static_cast<uint32_t>(v);
        break;
    default: break;  // LOADER, PAE_MODE, L1_MFN_VALID and the rest: not needed to load
    }
}

// Walks the notes in [off, off + len); false if they are malformed.
bool scan_notes(const uint8_t* data, size_t size, uint64_t off, uint64_t len, Notes& notes)
{
    if (!inside(off, len, size))
        return false;
    uint64_t p = off, end = off + len;
    while (p + 12 <= end) {
        uint32_t namesz = load<uint32_t>(data + p);
        uint32_t descsz = load<uint32_t>(data + p + 4);
        uint32_t type = load<uint32_t>(data + p + 8);
        uint64_t name_off = p + 12;
        uint64_t desc_off = name_off + ((uint64_t{namesz} + 3) & ~uint64_t{3});
        uint64_t next = desc_off + ((uint64_t{descsz} + 3) & ~uint64_t{3});
        if (desc_off > end || next > end || !inside(desc_off, descsz, size))
            return false;
        if (namesz == 4 && __builtin_memcmp(data + name_off, "Xen", 4) == 0)
            apply_note(notes, type, data + desc_off, descsz);
        p = next;
    }
    return true;
}

struct FeatureName {
    const char* name;
    unsigned bit;
};
constexpr FeatureName kFeatureNames[] = {
    {"writable_page_tables", 0}, {"writable_descriptor_tables", 1}, {"auto_translated_physmap", 2},
    {"supervisor_mode_kernel", 3}, {"pae_pgdir_above_4gb", 4}, {"mmu_pt_update_preserve_ad", 5},
    {"highmem_assist", 6}, {"gnttab_map_avail_bits", 7}, {"hvm_callback_vector", 8},
    {"hvm_safe_pvclock", 9}, {"hvm_pirqs", 10}, {"dom0", 11},
};

}  // namespace

bool parse_feature_string(const char* s, size_t n, uint32_t& required, uint32_t& supported)
{
    required = supported = 0;
    size_t i = 0;
    while (i < n) {
        size_t start = i;
        while (i < n && s[i] != '|')
            ++i;
        const char* word = s + start;
        size_t len = i - start;
        bool must = len > 0 && word[0] == '!';
        if (must)
            ++word, --len;
        bool known = false;
        for (const FeatureName& f : kFeatureNames) {
            if (__builtin_strlen(f.name) == len && __builtin_memcmp(f.name, word, len) == 0) {
                supported |= 1u << f.bit;
                if (must)
                    required |= 1u << f.bit;
                known = true;
            }
        }
        if (must && !known)
            return false;  // requires something we cannot even name
        ++i;               // skip '|'
    }
    return true;
}

ImageError parse_pv_image(const uint8_t* data, size_t size, uint32_t supported_features, PvImage& out)
{
    out = PvImage{};
    if (size < sizeof(Elf64Header) || __builtin_memcmp(data, "\x7f" "ELF", 4) != 0)
        return invalid("not an ELF image");
    Elf64Header eh = load<Elf64Header>(data);
    if (eh.ident[4] != kElfClass64)
        return invalid("not a 64-bit ELF image (wrong ELF class)");
    if (eh.ident[5] != kElfData2Lsb)
        return invalid("not a little-endian ELF image");
    if (eh.machine != kEmX86_64)
        return invalid("ELF image is not for x86-64 (wrong machine)");
    if (eh.type != kEtExec)
        return invalid("ELF image is not an executable");
    if (eh.phentsize != sizeof(Elf64Phdr) || eh.phnum == 0 ||
        !inside(eh.phoff, uint64_t{eh.phnum} * sizeof(Elf64Phdr), size))
        return invalid("ELF program headers are truncated or malformed");

    // Xen notes: from PT_NOTE segments, else from SHT_NOTE sections.
    Notes notes;
    uint64_t pmin = ~uint64_t{0}, pmax = 0;
    for (unsigned i = 0; i < eh.phnum; ++i) {
        Elf64Phdr ph = load<Elf64Phdr>(data + eh.phoff + i * sizeof(Elf64Phdr));
        if (ph.type == kPtNote && !scan_notes(data, size, ph.offset, ph.filesz, notes))
            return invalid("ELF note segment is malformed");
        if (ph.type != kPtLoad || ph.memsz == 0)
            continue;
        if (ph.filesz > ph.memsz)
            return invalid("ELF segment has more file bytes than memory bytes");
        if (!inside(ph.offset, ph.filesz, size))
            return invalid("ELF segment lies outside the file (truncated image?)");
        if (ph.paddr + ph.memsz < ph.paddr)
            return invalid("ELF segment wraps the address space");
        if (out.segment_count == kMaxLoadSegments)
            return invalid("ELF image has too many loadable segments");
        for (unsigned j = 0; j < out.segment_count; ++j) {
            const LoadSegment& o = out.segments[j];
            // Compare in paddr space: vaddr is filled in below.
            if (ph.paddr < o.vaddr + o.memsz && o.vaddr < ph.paddr + ph.memsz)
                return invalid("ELF segments overlap");
        }
        out.segments[out.segment_count++] = {ph.offset, ph.filesz, ph.memsz, ph.paddr};
        pmin = ph.paddr < pmin ? ph.paddr : pmin;
        pmax = ph.paddr + ph.memsz > pmax ? ph.paddr + ph.memsz : pmax;
    }
    if (out.segment_count == 0)
        return invalid("ELF image has no loadable segment");
    if (notes.count == 0 && eh.shoff && eh.shentsize == sizeof(Elf64Shdr) &&
        inside(eh.shoff, uint64_t{eh.shnum} * sizeof(Elf64Shdr), size)) {
        for (unsigned i = 0; i < eh.shnum; ++i) {
            Elf64Shdr sh = load<Elf64Shdr>(data + eh.shoff + i * sizeof(Elf64Shdr));
            if (sh.type == kShtNote && !scan_notes(data, size, sh.offset, sh.size, notes))
                return invalid("ELF note section is malformed");
        }
    }
    if (notes.count == 0)
        return invalid("no Xen ELF notes: not a Xen PV kernel");
    if (!notes.have_xen_version || !notes.xen_version_ok)
        return invalid("XEN_VERSION note missing or not \"xen-3.0\"");
    if (notes.features_bad)
        return invalid("FEATURES note requires a feature unknown to Vireo");
    uint32_t missing = notes.required & ~supported_features;
    if (missing)
        return fail(Status::NOT_SUPPORTED, "kernel requires a Xen feature Vireo does not provide");

    // Addresses, as Xen's loader computes them: the kernel's guest address
    // is its ELF paddr moved by VIRT_BASE - PADDR_OFFSET.
    out.virt_base = notes.have_virt_base ? notes.virt_base : 0;
    out.paddr_offset = notes.have_paddr_offset ? notes.paddr_offset : out.virt_base;
    uint64_t shift = out.virt_base - out.paddr_offset;
    out.virt_kstart = pmin + shift;
    out.virt_kend = pmax + shift;
    for (unsigned i = 0; i < out.segment_count; ++i)
        out.segments[i].vaddr += shift;
    out.entry = notes.have_entry ? notes.entry : eh.entry;
    out.hypercall_page = notes.hypercall_page;
    out.init_p2m = notes.init_p2m;
    out.mod_start_pfn = notes.mod_start_pfn;
    out.features_required = notes.required;
    out.features_supported = notes.supported;
    __builtin_memcpy(out.guest_os, notes.guest_os, sizeof out.guest_os);

    if (out.virt_kend <= out.virt_kstart || !canonical(out.virt_kstart) || !canonical(out.virt_kend - 1) ||
        (out.virt_kstart >> 63) != ((out.virt_kend - 1) >> 63))
        return invalid("kernel addresses are not canonical");
    if (in_hypervisor_range(out.virt_kstart, out.virt_kend))
        return invalid("kernel overlaps the hypervisor's reserved addresses");
    if (out.virt_base > out.virt_kstart)
        return invalid("VIRT_BASE lies above the kernel");
    if (out.entry < out.virt_kstart || out.entry >= out.virt_kend)
        return invalid("entry point lies outside the kernel");
    if (out.hypercall_page &&
        (out.hypercall_page & 0xfff || out.hypercall_page < out.virt_kstart || out.hypercall_page >= out.virt_kend))
        return invalid("hypercall page is unaligned or outside the kernel");
    return {};
}

}  // namespace vireo
