// Checks the start-of-day state the Xen x86-64 PV ABI promises: start_info
// and its fields, the bootstrap window, the stack, the command line and the
// initrd module.
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "hello";

extern "C" char _start[];

namespace {

bool page_aligned(uint64_t v) { return (v & 0xfff) == 0; }

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    uint64_t rsp;
    asm volatile("mov %%rsp, %0" : "=r"(rsp));
    print("magic '%s' nr_pages %lu flags %x shared_info %lx\n", si->magic, si->nr_pages, si->flags,
          si->shared_info);
    print("pt_base %lx nr_pt_frames %lu mfn_list %lx mod_start %lx mod_len %lu\n", si->pt_base, si->nr_pt_frames,
          si->mfn_list, si->mod_start, si->mod_len);
    print("cmd_line '%s'\n", si->cmd_line);

    check(__builtin_strncmp(si->magic, "xen-3.0-x86_64", 14) == 0, "magic is '%s'", si->magic);
    check((si->flags & (xen::SIF_PRIVILEGED | xen::SIF_INITDOMAIN)) == (xen::SIF_PRIVILEGED | xen::SIF_INITDOMAIN),
          "dom0 flags missing: %x", si->flags);
    check(si->nr_pages >= 1024, "nr_pages %lu too small", si->nr_pages);
    check(page_aligned(si->shared_info) && si->shared_info != 0, "shared_info %lx", si->shared_info);

    uint64_t base = reinterpret_cast<uint64_t>(_start) & ~0xfffull;
    uint64_t si_va = reinterpret_cast<uint64_t>(si);
    check(page_aligned(si_va) && si_va > base, "start_info at %lx", si_va);
    check(page_aligned(si->pt_base) && si->pt_base > si_va, "pt_base %lx not after start_info", si->pt_base);
    check(si->nr_pt_frames >= 4, "nr_pt_frames %lu", si->nr_pt_frames);
    check(si->mfn_list > base && si->mfn_list < si_va, "mfn_list %lx not between kernel and start_info",
          si->mfn_list);

    // The p2m list names a distinct machine frame for every page.
    const uint64_t* p2m = reinterpret_cast<const uint64_t*>(si->mfn_list);
    check(p2m[0] != p2m[1] && p2m[0] != 0 && p2m[si->nr_pages - 1] != 0, "p2m looks wrong: %lx %lx", p2m[0],
          p2m[1]);

    // The page tables are mapped, read-only: reading them works.
    const uint64_t* l4 = reinterpret_cast<const uint64_t*>(si->pt_base);
    check((l4[511] & 1) != 0, "L4[511] not present in the bootstrap L4");

    // The window runs to a 4 MiB boundary with at least 512 KiB after the
    // boot stack (which follows the tables): touch its last byte.
    uint64_t after_tables = si->pt_base + si->nr_pt_frames * 4096 + 4096;
    uint64_t v_end = (after_tables + (4ull << 20) - 1) & ~((4ull << 20) - 1);
    if (v_end - after_tables < (512u << 10))
        v_end += 4ull << 20;
    volatile uint8_t* last = reinterpret_cast<volatile uint8_t*>(v_end - 1);
    *last = 0x5a;
    check(*last == 0x5a, "padding not writable");

    char want[64];
    if (cmdline_value(si, "expect_mod_len", want, sizeof want)) {
        uint64_t n = 0;
        for (const char* p = want; *p; ++p)
            n = n * 10 + static_cast<uint64_t>(*p - '0');
        check(si->mod_len == n, "mod_len %lu, expected %lu", si->mod_len, n);
        const char* mod = reinterpret_cast<const char*>(si->mod_start);
        check(n == 0 || (si->mod_start > base && mod[0] == 'V' && mod[n - 1] == '\n'),
              "initrd bytes not where mod_start says");
    }
    (void)rsp;
}
