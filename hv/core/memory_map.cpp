#include "hv/core/memory_map.hpp"

#include "lib/types.hpp"

namespace vireo {
namespace {

// Higher wins on overlap: anything that is not plain RAM must stay untouched.
int strength(MemType t) { return t == MemType::RAM ? 0 : static_cast<int>(t); }

}  // namespace

Status MemoryMap::insert(uint64_t base, uint64_t end, MemType type)
{
    if (m_count == kCapacity)
        return Status::NO_MEMORY;
    m_ranges[m_count++] = {base, end, type};
    normalize();
    return Status::OK;
}

// Rebuilds the list so ranges are sorted and disjoint. Boundaries are cut
// at every range edge; each piece takes the strongest type covering it.
void MemoryMap::normalize()
{
    uint64_t edges[2 * kCapacity];
    unsigned n = 0;
    for (unsigned i = 0; i < m_count; ++i) {
        edges[n++] = m_ranges[i].base;
        edges[n++] = m_ranges[i].end;
    }
    // Insertion sort: tiny arrays, and no library in freestanding code.
    for (unsigned i = 1; i < n; ++i)
        for (unsigned j = i; j > 0 && edges[j - 1] > edges[j]; --j) {
            uint64_t t = edges[j];
            edges[j] = edges[j - 1];
            edges[j - 1] = t;
        }
    MemRange out[kCapacity];
    unsigned out_n = 0;
    for (unsigned e = 0; e + 1 < n; ++e) {
        uint64_t a = edges[e], b = edges[e + 1];
        if (a == b)
            continue;
        bool covered = false;
        MemType best = MemType::RAM;
        for (unsigned i = 0; i < m_count; ++i) {
            if (m_ranges[i].base <= a && m_ranges[i].end >= b) {
                if (!covered || strength(m_ranges[i].type) > strength(best))
                    best = m_ranges[i].type;
                covered = true;
            }
        }
        if (!covered)
            continue;
        if (out_n && out[out_n - 1].end == a && out[out_n - 1].type == best) {
            out[out_n - 1].end = b;
        } else if (out_n < kCapacity) {
            out[out_n++] = {a, b, best};
        }
    }
    for (unsigned i = 0; i < out_n; ++i)
        m_ranges[i] = out[i];
    m_count = out_n;
}

Status MemoryMap::add(uint64_t base, uint64_t length, uint32_t e820_type)
{
    if (length == 0)
        return Status::OK;
    if (base + length < base)
        return Status::INVALID;
    MemType type = e820_type >= 1 && e820_type <= 5 ? static_cast<MemType>(e820_type) : MemType::RESERVED;
    return insert(base, base + length, type);
}

Status MemoryMap::reserve(uint64_t base, uint64_t end)
{
    if (end <= base)
        return end == base ? Status::OK : Status::INVALID;
    return insert(page_align_down(base), page_align_up(end), MemType::RESERVED);
}

uint64_t MemoryMap::total_ram() const
{
    uint64_t total = 0;
    for (unsigned i = 0; i < m_count; ++i)
        if (m_ranges[i].type == MemType::RAM)
            total += page_align_down(m_ranges[i].end) - page_align_up(m_ranges[i].base);
    return total;
}

uint64_t MemoryMap::highest_ram_end() const
{
    for (unsigned i = m_count; i > 0; --i)
        if (m_ranges[i - 1].type == MemType::RAM)
            return page_align_down(m_ranges[i - 1].end);
    return 0;
}

uint64_t MemoryMap::highest_end() const { return m_count ? m_ranges[m_count - 1].end : 0; }

uint64_t MemoryMap::take(uint64_t bytes, uint64_t align, uint64_t limit)
{
    bytes = page_align_up(bytes);
    if (bytes == 0 || align == 0 || (align & (align - 1)))
        return 0;
    for (unsigned i = m_count; i > 0; --i) {
        const MemRange& r = m_ranges[i - 1];
        if (r.type != MemType::RAM)
            continue;
        uint64_t top = r.end < limit ? r.end : limit;
        top = page_align_down(top);
        if (top < bytes)
            continue;
        uint64_t base = (top - bytes) & ~(align - 1);
        if (base < page_align_up(r.base) || base >= top)
            continue;
        if (reserve(base, base + bytes) != Status::OK)
            return 0;
        return base;
    }
    return 0;
}

}  // namespace vireo
