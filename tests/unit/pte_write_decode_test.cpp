// The PTE-write decoder against real encodings (assembled with GNU as; the
// assembly is beside each byte string). Each accepted case checks the new
// entry, whether it is written, and every register after the commit: RIP
// past the instruction, the named registers, RFLAGS, and nothing else.
#include "hv/core/pte_write_decode.hpp"

#include <gtest/gtest.h>

#include <vector>

using namespace vireo;

namespace {

constexpr uint64_t kTable = 0xffffc90000012000;  // where the guest maps its L1 (read-only)
constexpr uint64_t kEntry = kTable + 0x18;       // entry 3: the fault lands in it
constexpr uint64_t kOld = 0x8000000123456067;    // NX, frame 0x123456, D A U RW P
constexpr uint64_t kRip = 0xffffffff81000000;
constexpr uint64_t kFsBase = 0x9000, kGsBase = 0x5000;
constexpr uint64_t kFlags = 0x202;  // IF and the always-one bit
constexpr uint64_t CF = 0x1, PF = 0x4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

using Reg = uint64_t GuestRegs::*;
struct RegVal {
    Reg reg;
    uint64_t value;
};

struct Write {
    const char* what;
    std::vector<uint8_t> insn;
    unsigned at = 0;               // the byte of the entry CR2 names
    std::vector<RegVal> in = {};   // set before (RDI is kEntry unless set here)
    uint64_t new_entry = 0;
    std::vector<RegVal> out = {};  // the registers the instruction changes
    uint64_t rflags_out = kFlags;
    uint64_t old_entry = kOld;
    uint64_t rflags_in = kFlags;
    bool writes = true;
};

GuestRegs regs_for(const std::vector<RegVal>& in, uint64_t rflags)
{
    GuestRegs r{};
    r.rdi = kEntry;
    r.rip = kRip;
    r.rflags = rflags;
    for (const RegVal& rv : in)
        r.*rv.reg = rv.value;
    return r;
}

Result<PteWritePlan> decode(const std::vector<uint8_t>& insn, uint64_t addr, uint64_t old_entry,
                            const GuestRegs& r, const char** why = nullptr)
{
    PteWriteFault f{insn.data(), insn.size(), addr, old_entry, kFsBase, kGsBase};
    return decode_pte_write(f, r, why);
}

// clang-format off
const Write kWrites[] = {
    // mov: register, immediate, every width, at byte offsets.
    {.what = "mov %rax,(%rdi)", .insn = {0x48, 0x89, 0x07},
     .in = {{&GuestRegs::rax, 0x777777027}}, .new_entry = 0x777777027},
    {.what = "mov %eax,(%rdi): the low half only", .insn = {0x89, 0x07},
     .in = {{&GuestRegs::rax, 0xdeadbeef00005025}}, .new_entry = 0x8000000100005025},
    {.what = "mov %ax,0x2(%rdi)", .insn = {0x66, 0x89, 0x47, 0x02}, .at = 2,
     .in = {{&GuestRegs::rax, 0xbeef}}, .new_entry = 0x80000001beef6067},
    {.what = "mov %ah,0x1(%rdi)", .insn = {0x88, 0x67, 0x01}, .at = 1,
     .in = {{&GuestRegs::rax, 0x1234}}, .new_entry = 0x8000000123451267},
    {.what = "mov %sil,0x1(%rdi): REX makes reg 6 SIL, not DH", .insn = {0x40, 0x88, 0x77, 0x01}, .at = 1,
     .in = {{&GuestRegs::rsi, 0x71}, {&GuestRegs::rdx, 0xaa00}}, .new_entry = 0x8000000123457167},
    {.what = "movq $-2,(%rdi): imm32 sign-extended", .insn = {0x48, 0xc7, 0x07, 0xfe, 0xff, 0xff, 0xff},
     .new_entry = 0xfffffffffffffffe},
    {.what = "movl $0x12345678,0x4(%rdi)", .insn = {0xc7, 0x47, 0x04, 0x78, 0x56, 0x34, 0x12}, .at = 4,
     .new_entry = 0x1234567823456067},
    {.what = "movb $0x5a,0x7(%rdi)", .insn = {0xc6, 0x47, 0x07, 0x5a}, .at = 7, .new_entry = 0x5a00000123456067},
    {.what = "movw $0x1234,0x6(%rdi)", .insn = {0x66, 0xc7, 0x47, 0x06, 0x34, 0x12}, .at = 6,
     .new_entry = 0x1234000123456067},
    // Addressing: REX.R/B/X, SIB, displacements, RIP-relative, segments.
    {.what = "mov %r9,(%r10)", .insn = {0x4d, 0x89, 0x0a},
     .in = {{&GuestRegs::rdi, 0}, {&GuestRegs::r10, kEntry}, {&GuestRegs::r9, 0x555555025}},
     .new_entry = 0x555555025},
    {.what = "mov %rax,(%rdi,%rcx,8)", .insn = {0x48, 0x89, 0x04, 0xcf},
     .in = {{&GuestRegs::rdi, kTable}, {&GuestRegs::rcx, 3}, {&GuestRegs::rax, 1}}, .new_entry = 1},
    {.what = "mov %rax,0x18(%rdi)", .insn = {0x48, 0x89, 0x47, 0x18},
     .in = {{&GuestRegs::rdi, kTable}, {&GuestRegs::rax, 2}}, .new_entry = 2},
    {.what = "mov %rax,0x1000(%rdi)", .insn = {0x48, 0x89, 0x87, 0x00, 0x10, 0x00, 0x00},
     .in = {{&GuestRegs::rdi, kEntry - 0x1000}, {&GuestRegs::rax, 3}}, .new_entry = 3},
    {.what = "mov %rax,(%r12): r12 needs a SIB", .insn = {0x49, 0x89, 0x04, 0x24},
     .in = {{&GuestRegs::r12, kEntry}, {&GuestRegs::rdi, 0}, {&GuestRegs::rax, 4}}, .new_entry = 4},
    {.what = "mov %rax,0x0(%r13): r13 needs a disp8", .insn = {0x49, 0x89, 0x45, 0x00},
     .in = {{&GuestRegs::r13, kEntry}, {&GuestRegs::rdi, 0}, {&GuestRegs::rax, 5}}, .new_entry = 5},
    {.what = "mov %rax,0x0(,%r11,8): no base, REX.X index",
     .insn = {0x4a, 0x89, 0x04, 0xdd, 0x00, 0x00, 0x00, 0x00},
     .in = {{&GuestRegs::r11, kEntry / 8}, {&GuestRegs::rdi, 0}, {&GuestRegs::rax, 6}}, .new_entry = 6},
    {.what = "mov %rax,0x100(%rip): from the next instruction", .insn = {0x48, 0x89, 0x05, 0x00, 0x01, 0x00, 0x00},
     .in = {{&GuestRegs::rip, kEntry - 0x100 - 7}, {&GuestRegs::rax, 7}}, .new_entry = 7},
    {.what = "mov %rax,%gs:(%rdi)", .insn = {0x65, 0x48, 0x89, 0x07},
     .in = {{&GuestRegs::rdi, kEntry - kGsBase}, {&GuestRegs::rax, 8}}, .new_entry = 8},
    {.what = "mov %rax,%fs:(%rdi)", .insn = {0x64, 0x48, 0x89, 0x07},
     .in = {{&GuestRegs::rdi, kEntry - kFsBase}, {&GuestRegs::rax, 9}}, .new_entry = 9},
    {.what = "ds mov %rax,(%rdi): flat segment", .insn = {0x3e, 0x48, 0x89, 0x07},
     .in = {{&GuestRegs::rax, 10}}, .new_entry = 10},
    {.what = "rex.w data16 mov: a REX before a prefix is ignored", .insn = {0x48, 0x66, 0x89, 0x07},
     .in = {{&GuestRegs::rax, 0x1111222233334444}}, .new_entry = 0x8000000123454444},
    {.what = "orq $0x200,0x7f(%rsp,%rbx,2)", .insn = {0x48, 0x81, 0x4c, 0x5c, 0x7f, 0x00, 0x02, 0x00, 0x00},
     .in = {{&GuestRegs::rsp, kEntry - 0x7f - 0x20}, {&GuestRegs::rbx, 0x10}},
     .new_entry = kOld | 0x200, .rflags_out = kFlags | SF},
    // xchg: the register gets the old bytes.
    {.what = "xchg %rax,(%rdi)", .insn = {0x48, 0x87, 0x07},
     .in = {{&GuestRegs::rax, 0}}, .new_entry = 0, .out = {{&GuestRegs::rax, kOld}}},
    {.what = "lock xchg %rax,(%rdi)", .insn = {0xf0, 0x48, 0x87, 0x07},
     .in = {{&GuestRegs::rax, 0}}, .new_entry = 0, .out = {{&GuestRegs::rax, kOld}}},
    {.what = "xchg %ecx,(%rdi): 32-bit writes zero-extend", .insn = {0x87, 0x0f},
     .in = {{&GuestRegs::rcx, 0xffffffff00000000}}, .new_entry = 0x8000000100000000,
     .out = {{&GuestRegs::rcx, 0x23456067}}},
    {.what = "xchg %r8b,0x3(%rdi): byte writes merge", .insn = {0x44, 0x86, 0x47, 0x03}, .at = 3,
     .in = {{&GuestRegs::r8, 0xffffffffffffff99}}, .new_entry = 0x8000000199456067,
     .out = {{&GuestRegs::r8, 0xffffffffffffff23}}},
    // cmpxchg: flags as CMP accumulator, entry.
    {.what = "lock cmpxchg %rcx,(%rdi) succeeds", .insn = {0xf0, 0x48, 0x0f, 0xb1, 0x0f},
     .in = {{&GuestRegs::rax, kOld}, {&GuestRegs::rcx, 0}}, .new_entry = 0,
     .rflags_out = kFlags | ZF | PF, .rflags_in = kFlags | CF | SF},
    {.what = "lock cmpxchg %rcx,(%rdi) fails: RAX loaded, nothing written", .insn = {0xf0, 0x48, 0x0f, 0xb1, 0x0f},
     .in = {{&GuestRegs::rax, 0x8000000123456027}, {&GuestRegs::rcx, 0}}, .new_entry = kOld,
     .out = {{&GuestRegs::rax, kOld}}, .rflags_out = kFlags | CF | SF | PF, .writes = false},
    {.what = "lock cmpxchg %ecx,(%rdi) fails: EAX loaded, zero-extended", .insn = {0xf0, 0x0f, 0xb1, 0x0f},
     .in = {{&GuestRegs::rax, 0xffffffff00000000}}, .new_entry = kOld,
     .out = {{&GuestRegs::rax, 0x23456067}}, .rflags_out = kFlags | CF | PF | AF | SF, .writes = false},
    {.what = "lock cmpxchg %cl,0x1(%rdi) succeeds", .insn = {0xf0, 0x0f, 0xb0, 0x4f, 0x01}, .at = 1,
     .in = {{&GuestRegs::rax, 0x60}, {&GuestRegs::rcx, 0x62}}, .new_entry = kOld | 0x200,
     .rflags_out = kFlags | ZF | PF},
    // Logic: OF, CF (and AF) cleared; SF, ZF, PF from the result.
    {.what = "lock andq $-3,(%rdi)", .insn = {0xf0, 0x48, 0x83, 0x27, 0xfd},
     .new_entry = 0x8000000123456065, .rflags_out = kFlags | SF | PF, .rflags_in = kFlags | CF | OF | AF},
    {.what = "lock andb $0xfd,0x1(%rdi)", .insn = {0xf0, 0x80, 0x67, 0x01, 0xfd}, .at = 1,
     .new_entry = kOld, .rflags_out = kFlags | PF, .old_entry = kOld | 0x200},
    {.what = "lock or %rcx,(%rdi)", .insn = {0xf0, 0x48, 0x09, 0x0f},
     .in = {{&GuestRegs::rcx, 0x200}}, .new_entry = kOld | 0x200, .rflags_out = kFlags | SF},
    {.what = "lock xorl $0x80000000,0x4(%rdi)", .insn = {0xf0, 0x81, 0x77, 0x04, 0x00, 0x00, 0x00, 0x80}, .at = 4,
     .new_entry = 0x0000000123456067},
    {.what = "orb $0x2,0x1(%rdi)", .insn = {0x80, 0x4f, 0x01, 0x02}, .at = 1, .new_entry = kOld | 0x200},
    {.what = "orw $0x8000,0x6(%rdi)", .insn = {0x66, 0x81, 0x4f, 0x06, 0x00, 0x80}, .at = 6,
     .new_entry = kOld, .rflags_out = kFlags | SF | PF},
    {.what = "and %rcx,(%rdi)", .insn = {0x48, 0x21, 0x0f},
     .in = {{&GuestRegs::rcx, 0x7fffffffffffffff}}, .new_entry = 0x0000000123456067},
    {.what = "xor %cl,(%rdi)", .insn = {0x30, 0x0f},
     .in = {{&GuestRegs::rcx, 0x67}}, .new_entry = 0x8000000123456000, .rflags_out = kFlags | ZF | PF},
    // Arithmetic.
    {.what = "addq $0x1,(%rdi)", .insn = {0x48, 0x83, 0x07, 0x01}, .new_entry = kOld + 1, .rflags_out = kFlags | SF},
    {.what = "subl $0x1,(%rdi) borrows", .insn = {0x83, 0x2f, 0x01}, .new_entry = 0x80000001ffffffff,
     .rflags_out = kFlags | CF | PF | AF | SF, .old_entry = 0x8000000100000000},
    {.what = "adcb $0x0,(%rdi) adds CF", .insn = {0x80, 0x17, 0x00}, .new_entry = kOld + 1,
     .rflags_in = kFlags | CF},
    {.what = "sbb %rcx,(%rdi) subtracts CF", .insn = {0x48, 0x19, 0x0f},
     .in = {{&GuestRegs::rcx, 0x66}}, .new_entry = 0x8000000123456000, .rflags_out = kFlags | SF | PF,
     .rflags_in = kFlags | CF},
    // Bit operations: CF is the old bit; ZF and the rest are left alone.
    {.what = "lock btrq $0x5,(%rdi)", .insn = {0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05},
     .new_entry = 0x8000000123456047, .rflags_out = kFlags | ZF | CF, .rflags_in = kFlags | ZF},
    {.what = "lock btsq $0x1,(%rdi): bit already set", .insn = {0xf0, 0x48, 0x0f, 0xba, 0x2f, 0x01},
     .new_entry = kOld, .rflags_out = kFlags | CF},
    {.what = "btcq $0x3f,(%rdi)", .insn = {0x48, 0x0f, 0xba, 0x3f, 0x3f},
     .new_entry = 0x0000000123456067, .rflags_out = kFlags | CF},
    {.what = "lock bts %rcx,(%rdi)", .insn = {0xf0, 0x48, 0x0f, 0xab, 0x0f},
     .in = {{&GuestRegs::rcx, 9}}, .new_entry = kOld | 0x200, .rflags_in = kFlags | CF},
    {.what = "lock bts %rcx,(%rdi): offset 73 from the entry before", .insn = {0xf0, 0x48, 0x0f, 0xab, 0x0f},
     .in = {{&GuestRegs::rdi, kEntry - 8}, {&GuestRegs::rcx, 64 + 9}}, .new_entry = kOld | 0x200},
    {.what = "lock bts %rcx,(%rdi): offset -55 from the entry after", .insn = {0xf0, 0x48, 0x0f, 0xab, 0x0f},
     .in = {{&GuestRegs::rdi, kEntry + 8}, {&GuestRegs::rcx, static_cast<uint64_t>(-55)}},
     .new_entry = kOld | 0x200},
    {.what = "bts %ecx,(%rdi): offset 33 is the high dword's bit 1", .insn = {0x0f, 0xab, 0x0f}, .at = 4,
     .in = {{&GuestRegs::rcx, 33}}, .new_entry = 0x8000000323456067},
    {.what = "btr %ecx,(%rdi): ecx -1 from the entry after, upper RCX ignored", .insn = {0x0f, 0xb3, 0x0f}, .at = 4,
     .in = {{&GuestRegs::rdi, kEntry + 8}, {&GuestRegs::rcx, 0x12345678ffffffff}},
     .new_entry = 0x0000000123456067, .rflags_out = kFlags | CF},
    {.what = "lock btr %r14,(%r15)", .insn = {0xf0, 0x4d, 0x0f, 0xb3, 0x37},
     .in = {{&GuestRegs::r15, kEntry}, {&GuestRegs::r14, 5}}, .new_entry = 0x8000000123456047,
     .rflags_out = kFlags | CF},
};

struct Refusal {
    const char* what;
    std::vector<uint8_t> insn;
    Status expected;
    unsigned at = 0;
    std::vector<RegVal> in = {};
};

const Refusal kRefusals[] = {
    // The write does not start at CR2 or leaves the entry.
    {"mov %rax,0x4(%rdi): 8 bytes from byte 4", {0x48, 0x89, 0x47, 0x04}, Status::RANGE, 4},
    {"movl $0x1,0x6(%rdi): 4 bytes from byte 6", {0xc7, 0x47, 0x06, 0x01, 0x00, 0x00, 0x00}, Status::RANGE, 6},
    {"mov %rax,(%rdi): began 4 bytes before CR2", {0x48, 0x89, 0x07}, Status::RANGE, 0,
     {{&GuestRegs::rdi, kEntry - 4}}},
    {"lock bts %rcx,(%rdi): offset 64 is in the next entry", {0xf0, 0x48, 0x0f, 0xab, 0x0f}, Status::RANGE, 0,
     {{&GuestRegs::rcx, 64}}},
    {"bts %ecx,(%rdi): offset 33 touches the dword at byte 4", {0x0f, 0xab, 0x0f}, Status::RANGE, 0,
     {{&GuestRegs::rcx, 33}}},
    // Instructions that are not emulated (or cannot have faulted).
    {"movsq", {0x48, 0xa5}, Status::NOT_SUPPORTED},
    {"incq (%rdi)", {0x48, 0xff, 0x07}, Status::NOT_SUPPORTED},
    {"cmpq $0x0,(%rdi)", {0x48, 0x83, 0x3f, 0x00}, Status::NOT_SUPPORTED},
    {"btq $0x1,(%rdi)", {0x48, 0x0f, 0xba, 0x27, 0x01}, Status::NOT_SUPPORTED},
    {"xadd %rcx,(%rdi)", {0x48, 0x0f, 0xc1, 0x0f}, Status::NOT_SUPPORTED},
    {"rep stos %rax,%es:(%rdi)", {0xf3, 0x48, 0xab}, Status::NOT_SUPPORTED},
    {"mov %rax,%rcx", {0x48, 0x89, 0xc1}, Status::NOT_SUPPORTED},
    {"lock mov %rax,(%rdi)", {0xf0, 0x48, 0x89, 0x07}, Status::NOT_SUPPORTED},
    {"mov %rax,(%edi)", {0x67, 0x48, 0x89, 0x07}, Status::NOT_SUPPORTED},
    {"mov (%rdi),%rax", {0x48, 0x8b, 0x07}, Status::NOT_SUPPORTED},
    {"c7 /1 (no such instruction)", {0xc7, 0x4f, 0x04, 0x01, 0x00, 0x00, 0x00}, Status::NOT_SUPPORTED},
    {"14 ds prefixes, rex.w, then more: over 15 bytes",
     {0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x3e, 0x48, 0x89, 0x07},
     Status::NOT_SUPPORTED},
    // The fetch stopped early (the next page is not mapped).
    {"nothing fetched", {}, Status::FAULT},
    {"mov: no ModRM", {0x48, 0x89}, Status::FAULT},
    {"lock cmpxchg: no second opcode byte", {0xf0, 0x48, 0x0f}, Status::FAULT},
    {"movq $-2,(%rdi): immediate cut", {0x48, 0xc7, 0x07, 0xfe, 0xff}, Status::FAULT},
    {"mov %rax,0x0(,%r11,8): displacement cut", {0x4a, 0x89, 0x04, 0xdd, 0x00, 0x00}, Status::FAULT},
    {"mov %rax,(%r12): SIB missing", {0x49, 0x89, 0x04}, Status::FAULT},
};
// clang-format on

}  // namespace

TEST(PteWriteDecode, EmulatedWrites)
{
    for (const Write& w : kWrites) {
        SCOPED_TRACE(w.what);
        GuestRegs before = regs_for(w.in, w.rflags_in);
        const char* why = "";
        Result<PteWritePlan> plan = decode(w.insn, kEntry + w.at, w.old_entry, before, &why);
        ASSERT_TRUE(plan.ok()) << status_name(plan.status()) << ": " << why;
        EXPECT_EQ(plan->new_entry, w.new_entry) << std::hex << plan->new_entry;
        EXPECT_EQ(plan->writes, w.writes);
        EXPECT_EQ(plan->length, w.insn.size());

        GuestRegs after = before;
        commit_pte_write(plan.value(), after);
        GuestRegs expected = before;
        expected.rip = before.rip + w.insn.size();
        expected.rflags = w.rflags_out;
        for (const RegVal& rv : w.out)
            expected.*rv.reg = rv.value;
        const char* names[] = {"r15", "r14", "r13", "r12", "r11", "r10", "r9", "r8", "rbp", "rdi", "rsi",
                               "rdx", "rcx", "rbx", "rax", "vector", "error", "rip", "cs", "rflags", "rsp",
                               "ss"};
        const uint64_t* a = reinterpret_cast<const uint64_t*>(&after);
        const uint64_t* e = reinterpret_cast<const uint64_t*>(&expected);
        for (unsigned i = 0; i < sizeof(GuestRegs) / 8; ++i)
            EXPECT_EQ(a[i], e[i]) << names[i] << std::hex << ": " << a[i] << ", expected " << e[i];
    }
}

TEST(PteWriteDecode, RefusedWrites)
{
    for (const Refusal& r : kRefusals) {
        SCOPED_TRACE(r.what);
        GuestRegs regs = regs_for(r.in, kFlags);
        const char* why = nullptr;
        Result<PteWritePlan> plan = decode(r.insn, kEntry + r.at, kOld, regs, &why);
        EXPECT_EQ(plan.status(), r.expected) << status_name(plan.status());
        EXPECT_NE(why, nullptr);
    }
}

TEST(PteWriteDecode, AtMostFifteenBytesAreRead)
{
    // 15 bytes of a valid instruction are enough; bytes beyond the 15th are
    // never looked at, so a 16-byte instruction is refused as too long.
    std::vector<uint8_t> insn(11, 0x3e);  // ds x11, then mov %rax,(%rdi)
    insn.insert(insn.end(), {0x48, 0x89, 0x07});
    GuestRegs regs = regs_for({{&GuestRegs::rax, 42}}, kFlags);
    Result<PteWritePlan> plan = decode(insn, kEntry, kOld, regs);
    ASSERT_TRUE(plan.ok());
    EXPECT_EQ(plan->length, 14u);
    EXPECT_EQ(plan->new_entry, 42u);
    insn.insert(insn.begin(), {0x3e, 0x3e});  // 16 bytes now
    EXPECT_EQ(decode(insn, kEntry, kOld, regs).status(), Status::NOT_SUPPORTED);
}

TEST(PteWriteDecode, CommitWritesOnlyThePlan)
{
    PteWritePlan p;
    p.length = 5;
    p.reg = 3;  // BH
    p.reg_width = 1;
    p.reg_high_byte = true;
    p.reg_value = 0x1ab;
    p.flags_mask = CF;
    p.flags = CF | ZF;  // ZF outside the mask: ignored
    GuestRegs r{};
    r.rbx = 0x1111111111111111;
    r.rip = 100;
    r.rflags = kFlags;
    commit_pte_write(p, r);
    EXPECT_EQ(r.rbx, 0x111111111111ab11u);
    EXPECT_EQ(r.rip, 105u);
    EXPECT_EQ(r.rflags, kFlags | CF);
}
