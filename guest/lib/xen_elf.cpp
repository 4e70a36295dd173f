#include "guest/lib/xen_elf.hpp"

#include "abi/elfnote.hpp"

namespace guest {
namespace {

constexpr uint32_t kPtLoad = 1, kPtNote = 4;
constexpr uint16_t kMachineX86_64 = 62;

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

// Module bytes need not be aligned for the structs: copy them out.
template <typename T>
T read_at(const uint8_t* data, uint64_t offset)
{
    T v;
    __builtin_memcpy(&v, data + offset, sizeof v);
    return v;
}

bool within(uint64_t offset, uint64_t len, size_t size) { return offset <= size && len <= size - offset; }

uint64_t note_value(const uint8_t* desc, uint32_t n)
{
    uint64_t v = 0;
    __builtin_memcpy(&v, desc, n < 8 ? n : 8);
    return v;
}

struct Notes {
    bool virt_base, paddr_offset, entry;
    uint64_t virt_base_v, paddr_offset_v, entry_v, hypercall_page_v;
    bool any;
};

const char* read_notes(const uint8_t* data, uint64_t off, uint64_t len, Notes& n)
{
    uint64_t end = off + len;
    while (off + 12 <= end) {
        uint32_t namesz = read_at<uint32_t>(data, off), descsz = read_at<uint32_t>(data, off + 4);
        uint32_t type = read_at<uint32_t>(data, off + 8);
        uint64_t name = off + 12, desc = name + ((uint64_t{namesz} + 3) & ~3ull);
        uint64_t next = desc + ((uint64_t{descsz} + 3) & ~3ull);
        if (next > end)
            return "an ELF note runs past its segment";
        bool xen = namesz == 4 && __builtin_memcmp(data + name, "Xen", 4) == 0;
        if (xen && (descsz == 4 || descsz == 8)) {
            uint64_t v = note_value(data + desc, descsz);
            n.any = true;
            if (type == xen::XEN_ELFNOTE_VIRT_BASE)
                n.virt_base = true, n.virt_base_v = v;
            else if (type == xen::XEN_ELFNOTE_PADDR_OFFSET)
                n.paddr_offset = true, n.paddr_offset_v = v;
            else if (type == xen::XEN_ELFNOTE_ENTRY)
                n.entry = true, n.entry_v = v;
            else if (type == xen::XEN_ELFNOTE_HYPERCALL_PAGE)
                n.hypercall_page_v = v;
        } else if (xen) {
            n.any = true;  // a string note (GUEST_OS, FEATURES...): nothing to load
        }
        off = next;
    }
    return nullptr;
}

}  // namespace

const char* parse_xen_elf(const uint8_t* data, size_t size, XenElf& out)
{
    if (size < sizeof(Elf64Header) || __builtin_memcmp(data, "\x7f" "ELF", 4) != 0)
        return "not an ELF image";
    auto eh = read_at<Elf64Header>(data, 0);
    if (eh.ident[4] != 2 || eh.machine != kMachineX86_64)
        return "not a 64-bit x86-64 ELF image";
    if (eh.phentsize != sizeof(Elf64Phdr) || !within(eh.phoff, uint64_t{eh.phnum} * sizeof(Elf64Phdr), size))
        return "program headers outside the file";

    Notes notes{};
    uint64_t pstart = ~0ull, pend = 0;
    out = XenElf{};
    for (unsigned i = 0; i < eh.phnum; ++i) {
        auto ph = read_at<Elf64Phdr>(data, eh.phoff + i * sizeof(Elf64Phdr));
        if (ph.type == kPtNote) {
            if (!within(ph.offset, ph.filesz, size))
                return "a note segment outside the file";
            if (const char* e = read_notes(data, ph.offset, ph.filesz, notes))
                return e;
        }
        if (ph.type != kPtLoad || ph.memsz == 0)
            continue;
        if (!within(ph.offset, ph.filesz, size) || ph.filesz > ph.memsz)
            return "a PT_LOAD segment outside the file";
        if (out.segment_count == kMaxElfSegments)
            return "too many PT_LOAD segments";
        out.segments[out.segment_count++] = ElfSegment{ph.offset, ph.filesz, ph.memsz, ph.paddr};
        pstart = ph.paddr < pstart ? ph.paddr : pstart;
        pend = ph.paddr + ph.memsz > pend ? ph.paddr + ph.memsz : pend;
    }
    if (!notes.any)
        return "no Xen ELF notes";
    if (out.segment_count == 0)
        return "nothing to load";
    // As Xen's libelf: load addresses are physical ones moved by VIRT_BASE -
    // PADDR_OFFSET, both 0 when their notes are absent.
    uint64_t shift = (notes.virt_base ? notes.virt_base_v : 0) - (notes.paddr_offset ? notes.paddr_offset_v : 0);
    for (unsigned i = 0; i < out.segment_count; ++i)
        out.segments[i].va += shift;
    out.virt_base = notes.virt_base ? notes.virt_base_v : 0;
    out.kstart = pstart + shift;
    out.kend = pend + shift;
    out.entry = notes.entry ? notes.entry_v : eh.entry;
    out.hypercall_page = notes.hypercall_page_v;
    if (out.kstart < out.virt_base || (out.kstart & 0xfff))
        return "the image starts below VIRT_BASE or not on a page";
    if (out.entry < out.kstart || out.entry >= out.kend)
        return "the entry point is outside the image";
    if (out.hypercall_page && (out.hypercall_page < out.kstart || out.hypercall_page >= out.kend ||
                               (out.hypercall_page & 0xfff)))
        return "the hypercall page is outside the image";
    return nullptr;
}

}  // namespace guest
