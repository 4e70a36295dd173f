#include "hv/core/hypercall_page.hpp"

namespace vireo {
namespace {

// x86-64 encodings.
constexpr uint8_t kPushRcx = 0x51;
constexpr uint8_t kPushRax = 0x50;
constexpr uint8_t kPopRcx = 0x59;
constexpr uint8_t kRexB = 0x41;  // with 0x53 / 0x5b: push / pop %r11
constexpr uint8_t kMovEaxImm = 0xb8;
constexpr uint8_t kRet = 0xc3;
constexpr uint8_t kInt3 = 0xcc;

void emit_mov_eax(uint8_t*& p, uint32_t value)
{
    *p++ = kMovEaxImm;
    for (int i = 0; i < 4; ++i)
        *p++ = static_cast<uint8_t>(value >> (8 * i));
}

void emit_syscall(uint8_t*& p)
{
    *p++ = 0x0f;
    *p++ = 0x05;
}

}  // namespace

void fill_hypercall_page(uint8_t* page)
{
    for (unsigned i = 0; i < kHypercallStubs * kHypercallStubSize; ++i)
        page[i] = kInt3;
    for (unsigned nr = 0; nr < kHypercallStubs; ++nr) {
        uint8_t* p = page + nr * kHypercallStubSize;
        // syscall clobbers RCX and R11: the stub saves them for the caller.
        *p++ = kPushRcx;
        *p++ = kRexB, *p++ = 0x53;
        if (nr == kHypercallIret) {
            // iret never returns here: the guest's iret frame is below the
            // saved registers, and RAX goes on the stack too (iret_context).
            *p++ = kPushRax;
            emit_mov_eax(p, nr);
            emit_syscall(p);
            continue;
        }
        emit_mov_eax(p, nr);
        emit_syscall(p);
        *p++ = kRexB, *p++ = 0x5b;
        *p++ = kPopRcx;
        *p++ = kRet;
    }
}

}  // namespace vireo
