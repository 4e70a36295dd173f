#include "hv/core/bzimage.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include "tests/unit/xz_tool.hpp"

using namespace vireo;
using namespace testing_xz;

namespace {

struct BzSpec {
    uint8_t setup_sects = 3;
    uint16_t version = 0x020f;
    uint32_t payload_offset = 0x1234;  // from the protected-mode code
    Bytes payload;                     // compressed data, size trailer included
    int64_t length_adjust = 0;         // added to payload_length
};

void put_le(Bytes& b, size_t off, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; ++i)
        b[off + i] = static_cast<uint8_t>(v >> (8 * i));
}

Bytes build_bzimage(const BzSpec& s)
{
    size_t pm = (size_t{s.setup_sects ? s.setup_sects : 4u} + 1) * 512;
    Bytes b(pm + s.payload_offset, 0x90);
    b[0x1f1] = s.setup_sects;
    put_le(b, 0x1fe, 0xaa55, 2);
    b[0x202] = 'H', b[0x203] = 'd', b[0x204] = 'r', b[0x205] = 'S';
    put_le(b, 0x206, s.version, 2);
    put_le(b, 0x248, s.payload_offset, 4);
    put_le(b, 0x24c, static_cast<uint64_t>(static_cast<int64_t>(s.payload.size()) + s.length_adjust), 4);
    b.insert(b.end(), s.payload.begin(), s.payload.end());
    b.insert(b.end(), 64, 0xcc);  // the rest of the decompressor
    return b;
}

// What Linux's build puts in the payload: the xz data, then the size.
Bytes linux_payload(const Bytes& xz, uint32_t size)
{
    Bytes p = xz;
    put_le32(p, size);
    return p;
}

// A tiny valid xz stream (stored chunks, built here so no xz command is
// needed) and its content.
const std::string kContent = "\x7f" "ELF not really a kernel";
Bytes tiny_xz()
{
    StreamSpec s;
    s.lzma2 = stored_chunk(0x01, kContent);
    s.lzma2.push_back(0x00);
    s.uncompressed = kContent.size();
    return build_stream(s);
}

ImageError find(const Bytes& img, BzImagePayload& out) { return find_bzimage_payload(img.data(), img.size(), out); }

std::string what(const ImageError& e) { return e.ok() ? "ok" : e.what; }

std::string reference_kernel()
{
    if (const char* env = std::getenv("VIREO_VMLINUZ"))
        return env;
#ifdef VIREO_REF_DIR
    return std::string(VIREO_REF_DIR) + "/vmlinuz";
#else
    return "";
#endif
}

}  // namespace

TEST(BzImage, FindsTheXzPayloadAndItsSize)
{
    BzSpec s;
    Bytes xz = tiny_xz();
    s.payload = linux_payload(xz, static_cast<uint32_t>(kContent.size()));
    Bytes img = build_bzimage(s);
    ASSERT_TRUE(is_bzimage(img.data(), img.size()));

    BzImagePayload p;
    ImageError e = find(img, p);
    ASSERT_TRUE(e.ok()) << what(e);
    EXPECT_EQ(p.payload, img.data() + 4 * 512 + 0x1234);
    EXPECT_EQ(p.payload_len, xz.size());
    EXPECT_EQ(p.uncompressed_size, kContent.size());

    auto work = std::make_unique<XzWorkspace>();
    Bytes out(p.uncompressed_size);
    e = unpack_bzimage_payload(p, out.data(), out.size(), *work);
    ASSERT_TRUE(e.ok()) << what(e);
    EXPECT_EQ(std::string(out.begin(), out.end()), kContent);

    Bytes small(p.uncompressed_size - 1);
    EXPECT_EQ(unpack_bzimage_payload(p, small.data(), small.size(), *work).status, Status::TOO_BIG);
}

TEST(BzImage, SetupSectsZeroMeansFour)
{
    BzSpec s;
    s.setup_sects = 0;
    s.payload = linux_payload(tiny_xz(), static_cast<uint32_t>(kContent.size()));
    Bytes img = build_bzimage(s);
    BzImagePayload p;
    ASSERT_TRUE(find(img, p).ok());
    EXPECT_EQ(p.payload, img.data() + 5 * 512 + 0x1234);
}

TEST(BzImage, NamesOtherCompressions)
{
    struct Case {
        Bytes magic;
        const char* name;
    };
    const Case cases[] = {
        {{0x1f, 0x8b, 0x08, 0x00}, "gzip"},       {{'B', 'Z', 'h', '9'}, "bzip2"},
        {{0x5d, 0x00, 0x00, 0x80}, "lzma"},       {{0x89, 'L', 'Z', 'O'}, "lzo"},
        {{0x02, 0x21, 0x4c, 0x18}, "lz4"},        {{0x28, 0xb5, 0x2f, 0xfd}, "zstd"},
        {{0x7f, 'E', 'L', 'F'}, "uncompressed"}, {{0x12, 0x34, 0x56, 0x78}, "unknown"},
    };
    for (const Case& c : cases) {
        BzSpec s;
        s.payload = c.magic;
        s.payload.resize(100, 0x11);
        BzImagePayload p;
        ImageError e = find(build_bzimage(s), p);
        EXPECT_EQ(e.status, Status::NOT_SUPPORTED) << c.name;
        EXPECT_NE(what(e).find(c.name), std::string::npos) << what(e);
        EXPECT_NE(what(e).find("only xz is supported"), std::string::npos) << what(e);
    }
}

TEST(BzImage, RefusesBadHeaders)
{
    Bytes good = linux_payload(tiny_xz(), static_cast<uint32_t>(kContent.size()));
    BzImagePayload p;

    BzSpec old;
    old.version = 0x0206;
    old.payload = good;
    EXPECT_EQ(find(build_bzimage(old), p).status, Status::NOT_SUPPORTED);

    BzSpec too_long;
    too_long.payload = good;
    too_long.length_adjust = 1000;  // past the end of the file
    EXPECT_EQ(find(build_bzimage(too_long), p).status, Status::INVALID);

    BzSpec far;
    far.payload = good;
    Bytes img = build_bzimage(far);
    put_le(img, 0x248, 0xfffffff0u, 4);
    EXPECT_EQ(find(img, p).status, Status::INVALID);

    Bytes elf = {0x7f, 'E', 'L', 'F'};
    elf.resize(4096);
    EXPECT_FALSE(is_bzimage(elf.data(), elf.size()));
    EXPECT_EQ(find(elf, p).status, Status::INVALID);

    Bytes truncated = build_bzimage(far);
    truncated.resize(0x240);
    ASSERT_TRUE(is_bzimage(truncated.data(), truncated.size()));
    EXPECT_EQ(find(truncated, p).status, Status::INVALID);
    EXPECT_FALSE(is_bzimage(truncated.data(), 0x205));
}

TEST(BzImage, SizeTrailerMustAgreeWithTheXzIndex)
{
    BzImagePayload p;
    BzSpec wrong;
    wrong.payload = linux_payload(tiny_xz(), static_cast<uint32_t>(kContent.size() + 1));
    ImageError e = find(build_bzimage(wrong), p);
    EXPECT_EQ(e.status, Status::INVALID);
    EXPECT_NE(what(e).find("trailer"), std::string::npos) << what(e);

    // payload_length that cuts the xz data short: the index is not found.
    BzSpec cut;
    cut.payload = linux_payload(tiny_xz(), static_cast<uint32_t>(kContent.size()));
    cut.length_adjust = -8;
    EXPECT_EQ(find(build_bzimage(cut), p).status, Status::INVALID);
}

// Debian's stock kernel, as tools/fetch-reference.sh downloads it.
TEST(BzImage, DebianKernel)
{
    std::string path = reference_kernel();
    Bytes img = path.empty() ? Bytes() : read_file(path);
    if (img.empty())
        GTEST_SKIP() << "no reference kernel at '" << path << "' (tools/fetch-reference.sh fetches it)";
    ASSERT_TRUE(is_bzimage(img.data(), img.size()));
    BzImagePayload p;
    ImageError e = find(img, p);
    ASSERT_TRUE(e.ok()) << what(e);
    EXPECT_GT(p.uncompressed_size, p.payload_len);

    auto work = std::make_unique<XzWorkspace>();
    Bytes out(p.uncompressed_size);
    auto start = std::chrono::steady_clock::now();
    e = unpack_bzimage_payload(p, out.data(), out.size(), *work);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ASSERT_TRUE(e.ok()) << what(e);
    EXPECT_EQ(std::string(out.begin(), out.begin() + 4), "\x7f" "ELF");
    EXPECT_EQ(out[4], 2);   // ELFCLASS64
    EXPECT_EQ(out[18], 62);  // EM_X86_64
    std::printf("decompressed %zu bytes of %s into %zu in %.3f s\n", p.payload_len, path.c_str(),
                p.uncompressed_size, seconds);
}
