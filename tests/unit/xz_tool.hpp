// Test data for the xz decoder: streams made by the real `xz` command (so
// the decoder is checked against the reference encoder), and small streams
// built by hand for framing errors that xz never writes.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "lib/crc.hpp"

namespace testing_xz {

using Bytes = std::vector<uint8_t>;

inline bool have_xz_command()
{
    static const bool ok = std::system("xz --version >/dev/null 2>&1") == 0;
    return ok;
}

inline Bytes read_file(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return Bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Runs `xz -c <options>` on `data`; empty if xz failed.
inline Bytes xz_compress(const Bytes& data, const std::string& options)
{
    static unsigned counter = 0;
    std::string base = std::string(::testing::TempDir()) + "vireo_xz_" + std::to_string(getpid()) + "_" +
                       std::to_string(counter++);
    std::string in = base + ".in", out = base + ".xz";
    {
        std::ofstream f(in, std::ios::binary);
        f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    }
    std::string cmd = "xz -c -q " + options + " < '" + in + "' > '" + out + "'";
    Bytes result;
    if (std::system(cmd.c_str()) == 0)
        result = read_file(out);
    std::remove(in.c_str());
    std::remove(out.c_str());
    return result;
}

// Compressible text: words from a small vocabulary, pseudo-randomly.
inline Bytes text(size_t n, unsigned seed = 1)
{
    static const char* const kWords[] = {"hypervisor ", "page ", "table ", "grant ", "event ", "channel ",
                                         "domain ", "vcpu ", "\n", "mmu_update ", "xen ", "linux "};
    std::mt19937 rng(seed);
    Bytes out;
    while (out.size() < n) {
        const char* w = kWords[rng() % (sizeof kWords / sizeof kWords[0])];
        out.insert(out.end(), w, w + std::char_traits<char>::length(w));
    }
    out.resize(n);
    return out;
}

inline Bytes random_bytes(size_t n, unsigned seed = 2)
{
    std::mt19937 rng(seed);
    Bytes out(n);
    for (uint8_t& b : out)
        b = static_cast<uint8_t>(rng());
    return out;
}

// Real x86-64 machine code: the start of this test program.
inline Bytes x86_code(size_t max)
{
    Bytes b = read_file("/proc/self/exe");
    if (b.size() > max)
        b.resize(max);
    return b;
}

inline void put_le32(Bytes& b, uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        b.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

inline void put_vli(Bytes& b, uint64_t v)
{
    while (v >= 0x80) {
        b.push_back(static_cast<uint8_t>(v | 0x80));
        v >>= 7;
    }
    b.push_back(static_cast<uint8_t>(v));
}

inline void pad4(Bytes& b, size_t from)
{
    while ((b.size() - from) % 4)
        b.push_back(0);
}

// A one-block stream around raw LZMA2 data, written field by field. The
// knobs spoil one thing each; sizes in the index default to the truth.
struct StreamSpec {
    Bytes lzma2;              // the block's compressed data, end marker included
    uint64_t uncompressed = 0;  // what lzma2 decodes to
    uint8_t check = 0;        // only 0 (none) is computed here
    uint8_t block_flags = 0;  // 0: one filter, no sizes
    bool index_lies = false;  // record uncompressed + 1
    bool footer_lies = false; // backward size one word too big
};

inline Bytes build_stream(const StreamSpec& s)
{
    Bytes b = {0xfd, '7', 'z', 'X', 'Z', 0x00, 0x00, s.check};
    put_le32(b, vireo::crc32(b.data() + 6, 2));

    size_t block = b.size();
    b.push_back(0);  // header size, fixed below
    b.push_back(s.block_flags);
    b.insert(b.end(), {0x21, 0x01, 0x10});  // LZMA2, 1 props byte, 64 KiB dictionary
    pad4(b, block);
    b.resize(b.size() + 4);  // room for the CRC32
    size_t header_size = b.size() - block;
    b[block] = static_cast<uint8_t>(header_size / 4 - 1);
    uint32_t crc = vireo::crc32(b.data() + block, header_size - 4);
    b.resize(b.size() - 4);
    put_le32(b, crc);
    b.insert(b.end(), s.lzma2.begin(), s.lzma2.end());
    pad4(b, block);
    uint64_t unpadded = header_size + s.lzma2.size();

    size_t index = b.size();
    b.push_back(0);
    put_vli(b, 1);
    put_vli(b, unpadded);
    put_vli(b, s.uncompressed + (s.index_lies ? 1 : 0));
    pad4(b, index);
    put_le32(b, vireo::crc32(b.data() + index, b.size() - index));
    uint32_t backward = static_cast<uint32_t>((b.size() - index) / 4 - 1 + (s.footer_lies ? 1 : 0));

    size_t footer = b.size();
    put_le32(b, 0);
    put_le32(b, backward);
    b.push_back(0);
    b.push_back(s.check);
    uint32_t fcrc = vireo::crc32(b.data() + footer + 4, 6);
    for (int i = 0; i < 4; ++i)
        b[footer + i] = static_cast<uint8_t>(fcrc >> (8 * i));
    b.push_back('Y');
    b.push_back('Z');
    return b;
}

// An LZMA2 stored chunk: control byte 0x01 (after a dictionary reset) or
// 0x02, the big-endian size - 1, then the bytes.
inline Bytes stored_chunk(uint8_t control, const std::string& text)
{
    Bytes b(3 + text.size());
    b[0] = control;
    b[1] = static_cast<uint8_t>((text.size() - 1) >> 8);
    b[2] = static_cast<uint8_t>(text.size() - 1);
    std::copy(text.begin(), text.end(), b.begin() + 3);
    return b;
}

}  // namespace testing_xz
