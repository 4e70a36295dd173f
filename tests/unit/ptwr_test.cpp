// Writable page tables on a fake machine: frames are an array, the guest's
// tables map a validated L1 read-only at kTableVa, and the guest's code is
// one page at kCodeVa that copy_from_guest reads.
#include "hv/core/ptwr.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "tests/unit/fake_machine.hpp"

using namespace vireo;

namespace {

constexpr uint64_t P = 1, RW = 2, U = 4, A = 0x20;
constexpr uint64_t kTableVa = 0xffffc90000012000;  // the L1 under test, read-only
constexpr uint64_t kDataVa = 0xffffc90000013000;   // an ordinary read-only page
constexpr uint64_t kCodeVa = 0xffffffff81000000;
constexpr uint64_t kWriteFault = 7;  // present, write, user (ring 3: always)

std::vector<uint8_t> g_code(4096);
unsigned g_flushes;

Status copy_from_guest(void* dst, uint64_t va, size_t n)
{
    if (va < kCodeVa || va + n > kCodeVa + g_code.size())
        return Status::FAULT;
    std::memcpy(dst, &g_code[va - kCodeVa], n);
    return Status::OK;
}
void flush_tlb_local() { ++g_flushes; }

class Ptwr : public test::FakeMachine {
protected:
    Vcpu* v = nullptr;
    Mfn l1, mapper, data;  // the table written, the L1 that maps it, a data page
    GuestRegs regs{};

    void SetUp() override
    {
        Platform ops = base_ops();
        ops.copy_from_guest = copy_from_guest;
        ops.flush_tlb_local = flush_tlb_local;
        std::fill(g_code.begin(), g_code.end(), 0x90);
        g_flushes = 0;
        start(ops, "ptwr");
        d->vm_assist = uint64_t{1} << xen::VMASST_TYPE_writable_pagetables;
        v = &d->vcpus[0];

        // L4 -> L3 -> L2 -> mapper, which maps l1 and data read-only.
        Mfn l4 = alloc(), l3 = alloc(), l2 = alloc();
        mapper = alloc(), l1 = alloc(), data = alloc();
        table(l4)[(kTableVa >> 39) & 511] = (l3.raw << 12) | P | RW | U;
        table(l3)[(kTableVa >> 30) & 511] = (l2.raw << 12) | P | RW | U;
        table(l2)[(kTableVa >> 21) & 511] = (mapper.raw << 12) | P | RW | U;
        table(mapper)[(kTableVa >> 12) & 511] = (l1.raw << 12) | P | U;
        table(mapper)[(kDataVa >> 12) & 511] = (data.raw << 12) | P | U;
        ASSERT_EQ(type(l1, PageType::L1), Status::OK);
        ASSERT_EQ(type(mapper, PageType::L1), Status::OK);
        v->kernel_cr3 = l4.raw << 12;
        regs.rip = kCodeVa;
        regs.rflags = 0x202;
    }
    void code(std::initializer_list<uint8_t> bytes, uint64_t at = kCodeVa)
    {
        std::copy(bytes.begin(), bytes.end(), g_code.begin() + (at - kCodeVa));
        regs.rip = at;
    }
    // Writes entry `index` of l1 with `insn`, RDI pointing at it.
    bool write(unsigned index, std::initializer_list<uint8_t> insn, uint64_t error = kWriteFault)
    {
        code(insn);
        regs.rdi = kTableVa + index * 8;
        return try_emulate_pte_write(*v, regs, kTableVa + index * 8, error);
    }
};

}  // namespace

TEST_F(Ptwr, AValidEntryIsTakenWithItsReferences)
{
    Mfn target = alloc();
    regs.rax = (target.raw << 12) | P | RW | A;
    ASSERT_TRUE(write(3, {0x48, 0x89, 0x07}));  // mov %rax,(%rdi)
    EXPECT_EQ(table(l1)[3], regs.rax | U);      // the user bit is forced
    EXPECT_EQ(info(target).type, PageType::WRITABLE);
    EXPECT_EQ(info(target).count, 2u);          // owner + the mapping
    EXPECT_EQ(regs.rip, kCodeVa + 3);
    EXPECT_EQ(g_flushes, 0u);                   // nothing was mapped before

    // xchg takes the entry back out: the references go; the TLB is not
    // flushed yet, but the domain is marked...
    regs.rax = 0;
    ASSERT_TRUE(write(3, {0x48, 0x87, 0x07}));  // xchg %rax,(%rdi)
    EXPECT_EQ(regs.rax, ((target.raw << 12) | P | RW | A | U));
    EXPECT_EQ(table(l1)[3], 0u);
    EXPECT_EQ(info(target).type_count, 0u);
    EXPECT_EQ(info(target).count, 1u);
    EXPECT_EQ(g_flushes, 0u);
    EXPECT_TRUE(d->tlb_may_be_stale);
    // ...so that the frame cannot become a page table while a stale
    // writable translation of it may survive: typing it flushes first.
    ASSERT_EQ(type(target, PageType::L1), Status::OK);
    EXPECT_EQ(g_flushes, 1u);
    EXPECT_FALSE(d->tlb_may_be_stale);
}

TEST_F(Ptwr, ByteAndBitWritesMergeIntoTheEntry)
{
    Mfn target = alloc();
    regs.rax = (target.raw << 12) | P | RW | U | A | 0x200;
    ASSERT_TRUE(write(5, {0x48, 0x89, 0x07}));
    // lock andb $0xfd,0x1(%rdi): clears bit 9 from byte 1.
    code({0xf0, 0x80, 0x67, 0x01, 0xfd});
    regs.rdi = kTableVa + 5 * 8;
    ASSERT_TRUE(try_emulate_pte_write(*v, regs, kTableVa + 5 * 8 + 1, kWriteFault));
    EXPECT_EQ(table(l1)[5], (target.raw << 12) | P | RW | U | A);
    // lock btrq $0x5,(%rdi): the accessed bit, CF = 1.
    ASSERT_TRUE(write(5, {0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05}));
    EXPECT_EQ(table(l1)[5], (target.raw << 12) | P | RW | U);
    EXPECT_EQ(regs.rflags & 1, 1u);
    // lock andq $-3,(%rdi): read-only now; the write reference is dropped
    // and the domain marked for a flush before the frame changes use.
    ASSERT_TRUE(write(5, {0xf0, 0x48, 0x83, 0x27, 0xfd}));
    EXPECT_EQ(info(target).type_count, 0u);
    EXPECT_EQ(info(target).count, 2u);
    EXPECT_TRUE(d->tlb_may_be_stale);
}

TEST_F(Ptwr, FailedCmpxchgWritesNothingAndLoadsRax)
{
    Mfn target = alloc();
    uint64_t e = (target.raw << 12) | P | U;
    ASSERT_EQ(update_table_entry(*d, l1, 7, e, false, d->id), Status::OK);
    regs.rax = 0;  // expected "empty": wrong
    regs.rcx = (target.raw << 12) | P | RW | U;
    ASSERT_TRUE(write(7, {0xf0, 0x48, 0x0f, 0xb1, 0x0f}));  // lock cmpxchg %rcx,(%rdi)
    EXPECT_EQ(table(l1)[7], e);
    EXPECT_EQ(regs.rax, e);
    EXPECT_EQ(regs.rflags & 0x40, 0u);  // ZF clear
    EXPECT_EQ(info(target).type_count, 0u);
    // Now with the right expectation.
    ASSERT_TRUE(write(7, {0xf0, 0x48, 0x0f, 0xb1, 0x0f}));
    EXPECT_EQ(table(l1)[7], regs.rcx);
    EXPECT_EQ(regs.rflags & 0x40, 0x40u);
    EXPECT_EQ(info(target).type, PageType::WRITABLE);
}

TEST_F(Ptwr, RefusedEntriesLeaveEverythingAsItWas)
{
    Mfn foreign = alloc();
    frame_table().set_owner_unchecked(foreign, kOwnerHypervisor);
    uint32_t foreign_count = info(foreign).count;
    const uint64_t hostile[] = {
        (l1.raw << 12) | P | RW,      // the table itself, writable
        (mapper.raw << 12) | P | RW,  // another page table, writable
        (foreign.raw << 12) | P,      // a frame this domain does not own
        (test::kFakeFrames + 5) << 12 | P,      // beyond RAM (device memory) for a domU
        (data.raw << 12) | P | 0x100, // the global bit
    };
    for (uint64_t e : hostile) {
        SCOPED_TRACE(e);
        regs.rax = e;
        code({0x48, 0x89, 0x07});  // mov %rax,(%rdi)
        regs.rdi = kTableVa + 2 * 8;
        GuestRegs before = regs;
        EXPECT_FALSE(try_emulate_pte_write(*v, regs, kTableVa + 2 * 8, kWriteFault));
        EXPECT_EQ(table(l1)[2], 0u);
        EXPECT_EQ(std::memcmp(&regs, &before, sizeof regs), 0);
    }
    EXPECT_EQ(info(l1).type_count, 1u);
    EXPECT_EQ(info(mapper).type, PageType::L1);
    EXPECT_EQ(info(foreign).count, foreign_count);
}

TEST_F(Ptwr, OnlyKernelWriteFaultsOnValidatedL1TablesWithTheAssistOn)
{
    regs.rax = 0x1000 | P;  // never looked at: each case stops before
    // Not a write, not a protection fault, reserved bits, instruction fetch.
    for (uint64_t error : {uint64_t{5}, uint64_t{6}, uint64_t{7 | 8}, uint64_t{7 | 16}})
        EXPECT_FALSE(write(1, {0x48, 0x89, 0x07}, error)) << error;
    // Guest user mode.
    v->in_kernel_mode = false;
    EXPECT_FALSE(write(1, {0x48, 0x89, 0x07}));
    v->in_kernel_mode = true;
    // An ordinary read-only page, not a table.
    code({0x48, 0x89, 0x07});
    EXPECT_FALSE(try_emulate_pte_write(*v, regs, kDataVa, kWriteFault));
    // The hypervisor's range.
    EXPECT_FALSE(try_emulate_pte_write(*v, regs, 0xffff830000000000, kWriteFault));
    // An instruction that is not emulated: movsq.
    EXPECT_FALSE(write(1, {0x48, 0xa5}));
    // The assist is off.
    d->vm_assist = 0;
    EXPECT_FALSE(write(1, {0x48, 0x89, 0x07}));
    EXPECT_EQ(table(l1)[1], 0u);
    EXPECT_EQ(regs.rip, kCodeVa);
}

TEST_F(Ptwr, InstructionAtTheEndOfTheCodePage)
{
    Mfn target = alloc();
    regs.rax = (target.raw << 12) | P;
    code({0x48, 0x89, 0x07}, kCodeVa + 4096 - 3);  // 15 bytes would cross
    regs.rdi = kTableVa + 8;
    ASSERT_TRUE(try_emulate_pte_write(*v, regs, kTableVa + 8, kWriteFault));
    EXPECT_EQ(table(l1)[1], regs.rax | U);
    EXPECT_EQ(regs.rip, kCodeVa + 4096);
    // Cut short by the page end: refused, not guessed.
    code({0x48, 0xc7, 0x07}, kCodeVa + 4096 - 3);  // movq $imm32,(%rdi) needs 4 more
    EXPECT_FALSE(try_emulate_pte_write(*v, regs, kTableVa + 8, kWriteFault));
}
