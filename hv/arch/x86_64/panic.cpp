#include "hv/arch/x86_64/panic.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/machine.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/core/log.hpp"

// Generated at link time by tools/gensyms.py (see hv/CMakeLists.txt).
extern "C" const uint64_t ksyms_count;
extern "C" const uint64_t ksyms_addrs[];
extern "C" const uint32_t ksyms_offsets[];
extern "C" const char ksyms_names[];
extern "C" char __text_start[], __text_end[];

namespace vireo::arch {
namespace {

bool g_panicking = false;

class RawSink final : public CharSink {
public:
    void put(const char* s, size_t n) override
    {
        for (size_t i = 0; i < n; ++i) {
            if (s[i] == '\n')
                log_raw("\r", 1);
            log_raw(&s[i], 1);
        }
    }
};

[[gnu::format(printf, 1, 2)]] void out(const char* fmt, ...)
{
    RawSink sink;
    va_list ap;
    va_start(ap, fmt);
    vformat(sink, fmt, ap);
    va_end(ap);
}

bool is_text(uint64_t addr)
{
    return addr >= reinterpret_cast<uint64_t>(__text_start) && addr < reinterpret_cast<uint64_t>(__text_end);
}

// A frame-pointer walk may only read hypervisor stack memory.
bool is_readable_stack(uint64_t addr)
{
    return (addr & 7) == 0 && addr >= kImageBase && addr < kDirectMapEnd;
}

}  // namespace

void print_symbol(uint64_t addr)
{
    uint64_t n = ksyms_count;
    if (n == 0 || !is_text(addr) || addr < ksyms_addrs[0]) {
        out("%016lx", addr);
        return;
    }
    uint64_t lo = 0, hi = n;  // last symbol with address <= addr
    while (hi - lo > 1) {
        uint64_t mid = (lo + hi) / 2;
        if (ksyms_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    out("%016lx %s+0x%lx", addr, &ksyms_names[ksyms_offsets[lo]], addr - ksyms_addrs[lo]);
}

void print_backtrace(uint64_t rbp, uint64_t rip)
{
    out("Backtrace:\n");
    if (rip) {
        out("  ");
        print_symbol(rip);
        out("\n");
    }
    for (int depth = 0; depth < 32 && rbp && is_readable_stack(rbp); ++depth) {
        auto* fp = reinterpret_cast<const uint64_t*>(rbp);
        uint64_t ret = fp[1];
        if (!is_text(ret))
            break;
        out("  ");
        print_symbol(ret);
        out("\n");
        if (fp[0] <= rbp)
            break;  // frames grow upward; anything else is corrupt
        rbp = fp[0];
    }
}

static void dump_frame(const TrapFrame* f)
{
    out("----[ Vireo panic on CPU %u ]----\n", this_cpu() ? this_cpu()->cpu_index : 0);
    out("RIP: %04lx:", f->cs);
    print_symbol(f->rip);
    out("\nRFLAGS: %016lx  vector %lu  error %016lx\n", f->rflags, f->vector, f->error_code);
    out("RAX: %016lx  RBX: %016lx  RCX: %016lx\n", f->rax, f->rbx, f->rcx);
    out("RDX: %016lx  RSI: %016lx  RDI: %016lx\n", f->rdx, f->rsi, f->rdi);
    out("RBP: %016lx  RSP: %016lx  R8:  %016lx\n", f->rbp, f->rsp, f->r8);
    out("R9:  %016lx  R10: %016lx  R11: %016lx\n", f->r9, f->r10, f->r11);
    out("R12: %016lx  R13: %016lx  R14: %016lx\n", f->r12, f->r13, f->r14);
    out("R15: %016lx  SS: %04lx\n", f->r15, f->ss);
    out("CR0: %016lx  CR2: %016lx  CR3: %016lx  CR4: %016lx\n", Cr::read0(), Cr::read2(), Cr::read3(),
        Cr::read4());
}

void panic_with_frame(const TrapFrame* frame, const char* fmt, ...)
{
    irq_disable();
    if (g_panicking)
        halt_forever();
    g_panicking = true;
    RawSink sink;
    out("\n(vireo) PANIC: ");
    va_list ap;
    va_start(ap, fmt);
    vformat(sink, fmt, ap);
    va_end(ap);
    out("\n");
    if (frame) {
        dump_frame(frame);
        print_backtrace(frame->rbp, frame->rip);
    } else {
        uint64_t rbp;
        asm volatile("mov %%rbp, %0" : "=r"(rbp));
        print_backtrace(rbp, 0);
    }
    out("(vireo) System halted.\n");
    machine_exit_for_qemu(kPanicExitValue);
    halt_forever();
}

}  // namespace vireo::arch

namespace vireo {

void panic(const char* fmt, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, fmt);
    vformat_to(buf, sizeof buf, fmt, ap);
    va_end(ap);
    arch::panic_with_frame(nullptr, "%s", buf);
}

}  // namespace vireo
