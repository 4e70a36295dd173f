#include "lib/xz_decoder.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "lib/crc.hpp"
#include "lib/lzma2_decoder.hpp"
#include "tests/unit/xz_tool.hpp"

using namespace vireo;
using namespace testing_xz;

namespace {

struct Decoded {
    Status status = Status::OK;
    Bytes out;
    std::string why;
};

// Decodes from an exactly sized heap copy (so a stray read would leave the
// allocation) into a buffer of `cap` bytes.
Decoded decode(const Bytes& in, size_t cap)
{
    static auto work = std::make_unique<XzWorkspace>();
    std::unique_ptr<uint8_t[]> input(new uint8_t[in.size() ? in.size() : 1]);
    std::copy(in.begin(), in.end(), input.get());
    Decoded d;
    d.out.resize(cap);
    Result<size_t> r = xz_decode(input.get(), in.size(), d.out.data(), cap, *work);
    d.status = r.status();
    if (r.ok())
        d.out.resize(r.value());
    else
        d.why = work->error ? work->error : "(no message)";
    return d;
}

#define REQUIRE_XZ()                                          \
    do {                                                      \
        if (!have_xz_command())                               \
            GTEST_SKIP() << "the xz command is not installed"; \
    } while (0)

// Compresses with the real xz, decodes, compares; also the size query.
void expect_round_trip(const Bytes& data, const std::string& options)
{
    Bytes xz = xz_compress(data, options);
    ASSERT_FALSE(xz.empty()) << "xz " << options << " failed";
    Decoded d = decode(xz, data.size());
    ASSERT_EQ(d.status, Status::OK) << options << ": " << d.why;
    ASSERT_EQ(d.out.size(), data.size()) << options;
    EXPECT_TRUE(d.out == data) << options << ": wrong output";
    const char* why = nullptr;
    Result<uint64_t> size = xz_uncompressed_size(xz.data(), xz.size(), &why);
    ASSERT_TRUE(size.ok()) << options << ": " << (why ? why : "");
    EXPECT_EQ(size.value(), data.size()) << options;
}

}  // namespace

TEST(XzCrc, KnownVectors)
{
    const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
    EXPECT_EQ(crc32(check, sizeof check), 0xcbf43926u);
    EXPECT_EQ(crc64(check, sizeof check), 0x995dc9bbdf1939faull);
    EXPECT_EQ(crc32(check, 0), 0u);
    // Summing in pieces of every split gives the same result.
    Bytes t = text(1000);
    for (size_t split : {0, 1, 3, 4, 5, 17, 999, 1000}) {
        EXPECT_EQ(crc32(t.data() + split, t.size() - split, crc32(t.data(), split)), crc32(t.data(), t.size()));
        EXPECT_EQ(crc64(t.data() + split, t.size() - split, crc64(t.data(), split)), crc64(t.data(), t.size()));
    }
}

TEST(XzDecoder, Lzma2WithEachSupportedCheck)
{
    REQUIRE_XZ();
    Bytes data = text(300000);
    for (const char* check : {"--check=none", "--check=crc32", "--check=crc64"})
        expect_round_trip(data, check);
}

TEST(XzDecoder, Sha256CheckIsNotSupported)
{
    REQUIRE_XZ();
    Bytes xz = xz_compress(text(1000), "--check=sha256");
    Decoded d = decode(xz, 1000);
    EXPECT_EQ(d.status, Status::NOT_SUPPORTED);
    EXPECT_NE(d.why.find("check"), std::string::npos) << d.why;
}

// The options of Linux's scripts/xz_wrap.sh for x86.
TEST(XzDecoder, X86BcjAsLinuxBuildsIt)
{
    REQUIRE_XZ();
    Bytes code = x86_code(3 << 20);
    ASSERT_GT(code.size(), 100000u);
    expect_round_trip(code, "--check=crc32 --x86 --lzma2=dict=32MiB");
}

TEST(XzDecoder, X86BcjWithStartOffsetAndSmallInputs)
{
    REQUIRE_XZ();
    Bytes code = x86_code(1 << 20);
    expect_round_trip(code, "--x86=start=4096 --lzma2=preset=1");
    // Blocks shorter than an instruction, and ones ending in a CALL opcode.
    for (size_t n : {1, 4, 5, 6, 9}) {
        Bytes small(n, 0xe8);
        expect_round_trip(small, "--x86 --lzma2=preset=0");
    }
}

TEST(XzDecoder, EmptyData)
{
    REQUIRE_XZ();
    Bytes xz = xz_compress({}, "");
    ASSERT_FALSE(xz.empty());
    Decoded d = decode(xz, 0);
    EXPECT_EQ(d.status, Status::OK) << d.why;
    EXPECT_TRUE(d.out.empty());
    Result<uint64_t> size = xz_uncompressed_size(xz.data(), xz.size());
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(size.value(), 0u);
}

TEST(XzDecoder, EmptyInputIsInvalid)
{
    Decoded d = decode({}, 16);
    EXPECT_EQ(d.status, Status::INVALID);
    EXPECT_FALSE(xz_uncompressed_size(nullptr, 0).ok());
}

TEST(XzDecoder, IncompressibleDataUsesStoredChunks)
{
    REQUIRE_XZ();
    expect_round_trip(random_bytes(1 << 20), "");
    expect_round_trip(random_bytes(70000, 7), "--x86 --lzma2");
}

TEST(XzDecoder, LongRepeatsAcrossManyChunks)
{
    REQUIRE_XZ();
    Bytes data(9 << 20, 'A');  // LZMA2 chunks hold at most 2 MiB each
    Bytes pattern = random_bytes(1000, 3);
    for (size_t i = 0; i < (1 << 20); ++i)
        data[(5 << 20) + i] = pattern[i % pattern.size()];
    expect_round_trip(data, "--check=crc64");
    expect_round_trip(data, "-0");
}

TEST(XzDecoder, LiteralAndPositionContextVariants)
{
    REQUIRE_XZ();
    Bytes data = text(200000, 5);
    Bytes code = x86_code(200000);
    data.insert(data.end(), code.begin(), code.end());
    for (const char* opts : {"--lzma2=lc=0,lp=4,pb=0", "--lzma2=lc=4,lp=0,pb=4", "--lzma2=lc=1,lp=3,pb=2",
                             "--lzma2=preset=0", "--lzma2=preset=9e,nice=273", "--lzma2=mf=hc4,mode=fast"})
        expect_round_trip(data, opts);
}

TEST(XzDecoder, MultipleBlocks)
{
    REQUIRE_XZ();
    Bytes data = text(500000, 9);
    expect_round_trip(data, "--block-size=65536");
    // Multithreaded xz records both sizes in every block header.
    expect_round_trip(data, "-T2 --block-size=100000 --x86 --lzma2");
}

TEST(XzDecoder, ConcatenatedStreamsAndPadding)
{
    REQUIRE_XZ();
    Bytes a = text(10000, 1), b = text(20000, 2);
    Bytes xa = xz_compress(a, "--check=crc32"), xb = xz_compress(b, "--check=none");
    Bytes both = xa;
    both.insert(both.end(), 4, 0);
    both.insert(both.end(), xb.begin(), xb.end());
    both.insert(both.end(), 8, 0);
    Decoded d = decode(both, a.size() + b.size());
    ASSERT_EQ(d.status, Status::OK) << d.why;
    Bytes ab = a;
    ab.insert(ab.end(), b.begin(), b.end());
    EXPECT_TRUE(d.out == ab);
    Result<uint64_t> size = xz_uncompressed_size(both.data(), both.size());
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(size.value(), ab.size());

    // Padding must come in whole words, and only after a stream.
    Bytes odd = xa;
    odd.insert(odd.end(), 3, 0);
    EXPECT_EQ(decode(odd, a.size()).status, Status::INVALID);
    Bytes leading(4, 0);
    leading.insert(leading.end(), xa.begin(), xa.end());
    EXPECT_EQ(decode(leading, a.size()).status, Status::INVALID);
    EXPECT_FALSE(xz_uncompressed_size(leading.data(), leading.size()).ok());
}

TEST(XzDecoder, OutputThatDoesNotFitIsTooBig)
{
    REQUIRE_XZ();
    Bytes data = text(100000);
    for (const char* opts : {"", "-T2 --block-size=30000"}) {
        Bytes xz = xz_compress(data, opts);
        EXPECT_EQ(decode(xz, data.size() - 1).status, Status::TOO_BIG) << opts;
        EXPECT_EQ(decode(xz, 0).status, Status::TOO_BIG) << opts;
        EXPECT_EQ(decode(xz, data.size()).status, Status::OK) << opts;
    }
    Bytes stored = xz_compress(random_bytes(5000), "");
    EXPECT_EQ(decode(stored, 4999).status, Status::TOO_BIG);
}

TEST(XzDecoder, OtherFiltersAreNotSupported)
{
    REQUIRE_XZ();
    Bytes data = text(5000);
    for (const char* opts : {"--delta=dist=4 --lzma2", "--arm --lzma2", "--powerpc --lzma2", "--x86 --x86 --lzma2"}) {
        Decoded d = decode(xz_compress(data, opts), data.size());
        EXPECT_EQ(d.status, Status::NOT_SUPPORTED) << opts;
        EXPECT_NE(d.why.find("filter"), std::string::npos) << d.why;
    }
}

// Every bit of a stream is covered by a CRC, a size or the range coder's
// final state, so no single corrupted byte may decode successfully.
TEST(XzDecoder, EverySingleByteCorruptionFails)
{
    REQUIRE_XZ();
    Bytes data = text(3000, 4);
    Bytes code = x86_code(3000);
    data.insert(data.end(), code.begin(), code.end());
    for (const char* opts : {"--check=crc64 --x86 --lzma2", "--check=crc32 -T2 --block-size=2500"}) {
        Bytes xz = xz_compress(data, opts);
        ASSERT_FALSE(xz.empty());
        for (size_t i = 0; i < xz.size(); ++i) {
            for (uint8_t flip : {0x01, 0x80, 0xff}) {
                Bytes bad = xz;
                bad[i] ^= flip;
                Decoded d = decode(bad, data.size() + 100);
                EXPECT_NE(d.status, Status::OK) << opts << ": byte " << i << " ^ " << int(flip);
            }
        }
    }
}

TEST(XzDecoder, EveryTruncationFails)
{
    REQUIRE_XZ();
    Bytes data = text(4000, 6);
    Bytes xz = xz_compress(data, "--x86 --lzma2");
    for (size_t n = 0; n < xz.size(); ++n) {
        Bytes cut(xz.begin(), xz.begin() + static_cast<ptrdiff_t>(n));
        EXPECT_NE(decode(cut, data.size()).status, Status::OK) << n;
        EXPECT_FALSE(xz_uncompressed_size(cut.data(), cut.size()).ok()) << n;
    }
}

TEST(XzDecoder, GarbageFailsCleanly)
{
    REQUIRE_XZ();
    Bytes xz = xz_compress(text(2000), "");
    Bytes trailing = xz;
    trailing.insert(trailing.end(), {'a', 'b', 'c', 'd'});
    EXPECT_EQ(decode(trailing, 2000).status, Status::INVALID);
    // A valid stream header and block header followed by noise.
    for (unsigned seed = 0; seed < 200; ++seed) {
        Bytes bad(xz.begin(), xz.begin() + 24);
        Bytes noise = random_bytes(3000, seed);
        bad.insert(bad.end(), noise.begin(), noise.end());
        EXPECT_NE(decode(bad, 1 << 16).status, Status::OK) << seed;
    }
}

// Hand-built streams: framing that xz itself never writes.

TEST(XzDecoder, HandBuiltStoredChunks)
{
    StreamSpec s;
    s.lzma2 = stored_chunk(0x01, "hello");
    Bytes more = stored_chunk(0x02, ", world");
    s.lzma2.insert(s.lzma2.end(), more.begin(), more.end());
    s.lzma2.push_back(0x00);
    s.uncompressed = 12;
    Decoded d = decode(build_stream(s), 64);
    ASSERT_EQ(d.status, Status::OK) << d.why;
    EXPECT_EQ(std::string(d.out.begin(), d.out.end()), "hello, world");
}

TEST(XzDecoder, Lzma2FramingErrors)
{
    struct Case {
        const char* name;
        Bytes lzma2;
    };
    Bytes lzma_after_stored = stored_chunk(0x01, "abc");
    // An LZMA chunk with no new properties although the dictionary was reset.
    lzma_after_stored.insert(lzma_after_stored.end(), {0x80, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 0, 0, 0x00});
    Bytes lzma_truncated = {0xe0, 0x00, 0x10, 0x00, 0x40, 0x5d, 0x00, 0x00};
    Bytes bad_props = {0xe0, 0x00, 0x00, 0x00, 0x04, 0xe1, 0, 0, 0, 0, 0, 0x00};
    Bytes bad_rc = {0xe0, 0x00, 0x00, 0x00, 0x04, 0x5d, 0x01, 0, 0, 0, 0, 0x00};
    const Case cases[] = {
        {"no dictionary reset first", stored_chunk(0x02, "abc")},
        {"invalid control byte", {0x03, 0x00}},
        {"lzma chunk needs props", lzma_after_stored},
        {"lzma chunk truncated", lzma_truncated},
        {"bad lzma props", bad_props},
        {"range coder must start with 0", bad_rc},
        {"empty", {}},
    };
    for (const Case& c : cases) {
        StreamSpec s;
        s.lzma2 = c.lzma2;
        s.uncompressed = 3;
        Decoded d = decode(build_stream(s), 64);
        EXPECT_EQ(d.status, Status::INVALID) << c.name;
    }
}

TEST(XzDecoder, IndexAndFooterMustMatchTheBlocks)
{
    StreamSpec good;
    good.lzma2 = stored_chunk(0x01, "abc");
    good.lzma2.push_back(0x00);
    good.uncompressed = 3;
    ASSERT_EQ(decode(build_stream(good), 3).status, Status::OK);

    StreamSpec index = good;
    index.index_lies = true;
    Decoded d = decode(build_stream(index), 64);
    EXPECT_EQ(d.status, Status::INVALID);
    EXPECT_NE(d.why.find("index"), std::string::npos) << d.why;

    StreamSpec footer = good;
    footer.footer_lies = true;
    Bytes f = build_stream(footer);
    EXPECT_EQ(decode(f, 64).status, Status::INVALID);
    EXPECT_FALSE(xz_uncompressed_size(f.data(), f.size()).ok());

    StreamSpec reserved = good;
    reserved.block_flags = 0x04;
    EXPECT_EQ(decode(build_stream(reserved), 64).status, Status::INVALID);

    StreamSpec unknown_check = good;
    unknown_check.check = 0x02;  // reserved id, 4-byte check
    EXPECT_EQ(decode(build_stream(unknown_check), 64).status, Status::NOT_SUPPORTED);
}

TEST(XzLzma2, NeedsItsEndMarker)
{
    auto work = std::make_unique<XzWorkspace>();
    Bytes in = stored_chunk(0x01, "abc");
    uint8_t out[64];
    Lzma2Output r;
    const char* why = nullptr;
    EXPECT_EQ(lzma2_decode(in.data(), in.size(), out, 0, sizeof out, work->lzma, r, why), Status::INVALID);
    EXPECT_STREQ(why, "LZMA2 data is truncated");

    in.push_back(0x00);
    in.push_back(0x77);  // beyond the end marker: not LZMA2's business
    ASSERT_EQ(lzma2_decode(in.data(), in.size(), out, 10, sizeof out, work->lzma, r, why), Status::OK);
    EXPECT_EQ(r.in_used, 7u);
    EXPECT_EQ(r.out_size, 3u);
    EXPECT_EQ(std::string(out + 10, out + 13), "abc");

    EXPECT_EQ(lzma2_decode(in.data(), in.size(), out, 62, sizeof out, work->lzma, r, why), Status::TOO_BIG);
}
