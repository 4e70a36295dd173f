// Builds small ELF64 PV kernel images in memory for the parser and builder
// tests, with knobs for every way an image can be wrong.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace testing_elf {

struct Note {
    uint32_t type;
    std::vector<uint8_t> desc;
};

inline Note str_note(uint32_t type, const std::string& s)
{
    Note n{type, {}};
    n.desc.assign(s.begin(), s.end());
    n.desc.push_back(0);
    return n;
}

inline Note u64_note(uint32_t type, uint64_t v)
{
    Note n{type, std::vector<uint8_t>(8)};
    std::memcpy(n.desc.data(), &v, 8);
    return n;
}

struct Segment {
    uint64_t paddr;
    uint64_t memsz;
    std::vector<uint8_t> bytes;
};

struct ElfSpec {
    uint8_t elf_class = 2;
    uint16_t machine = 62;
    uint16_t type = 2;
    uint64_t entry = 0xffffffff80000000;
    std::vector<Segment> segments{{0xffffffff80000000, 0x3000, std::vector<uint8_t>(0x2000, 0x90)}};
    std::vector<Note> notes{
        str_note(6, "test"), str_note(5, "xen-3.0"), u64_note(3, 0xffffffff80000000),
        u64_note(4, 0xffffffff80000000), u64_note(1, 0xffffffff80000000),
        str_note(10, "!writable_page_tables|pae_pgdir_above_4gb"), u64_note(2, 0xffffffff80001000)};
};

inline std::vector<uint8_t> build(const ElfSpec& s)
{
    auto put = [](std::vector<uint8_t>& out, size_t off, const void* p, size_t n) {
        if (out.size() < off + n)
            out.resize(off + n);
        std::memcpy(out.data() + off, p, n);
    };
    std::vector<uint8_t> notes;
    for (const Note& n : s.notes) {
        uint32_t hdr[3] = {4, static_cast<uint32_t>(n.desc.size()), n.type};
        put(notes, notes.size(), hdr, 12);
        put(notes, notes.size(), "Xen", 4);
        size_t at = notes.size();
        put(notes, at, n.desc.data(), n.desc.size());
        notes.resize((notes.size() + 3) & ~size_t{3});
    }
    const size_t phnum = s.segments.size() + 1;
    const size_t phoff = 64, notes_off = phoff + 56 * phnum;
    size_t data_off = (notes_off + notes.size() + 0xfff) & ~size_t{0xfff};
    std::vector<uint8_t> out(64, 0);
    out[0] = 0x7f, out[1] = 'E', out[2] = 'L', out[3] = 'F', out[4] = s.elf_class, out[5] = 1, out[6] = 1;
    put(out, 16, &s.type, 2);
    put(out, 18, &s.machine, 2);
    uint32_t version = 1;
    put(out, 20, &version, 4);
    put(out, 24, &s.entry, 8);
    uint64_t phoff64 = phoff;
    put(out, 32, &phoff64, 8);
    uint16_t ehsize = 64, phentsize = 56, phn = static_cast<uint16_t>(phnum);
    put(out, 52, &ehsize, 2);
    put(out, 54, &phentsize, 2);
    put(out, 56, &phn, 2);
    auto phdr = [&](size_t i, uint32_t type, uint64_t off, uint64_t addr, uint64_t filesz, uint64_t memsz) {
        uint8_t ph[56] = {};
        uint32_t flags = 7;
        std::memcpy(ph, &type, 4);
        std::memcpy(ph + 4, &flags, 4);
        std::memcpy(ph + 8, &off, 8);
        std::memcpy(ph + 16, &addr, 8);
        std::memcpy(ph + 24, &addr, 8);
        std::memcpy(ph + 32, &filesz, 8);
        std::memcpy(ph + 40, &memsz, 8);
        put(out, phoff + 56 * i, ph, 56);
    };
    phdr(0, 4, notes_off, 0, notes.size(), notes.size());
    put(out, notes_off, notes.data(), notes.size());
    size_t off = data_off;
    for (size_t i = 0; i < s.segments.size(); ++i) {
        const Segment& seg = s.segments[i];
        phdr(i + 1, 1, off, seg.paddr, seg.bytes.size(), seg.memsz);
        if (!seg.bytes.empty())
            put(out, off, seg.bytes.data(), seg.bytes.size());
        off += (seg.bytes.size() + 0xfff) & ~size_t{0xfff};
    }
    return out;
}

}  // namespace testing_elf
