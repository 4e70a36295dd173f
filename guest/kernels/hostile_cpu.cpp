// Hostile CPU state: trap tables, segment descriptors, event ports and I/O
// ports a PV kernel must not be able to turn against the hypervisor. Each
// answer is printed as "call: result" for the system tests, which hold
// Vireo and Xen 4.17 to the same lines, and checked against Xen 4.17's:
//   1. trap tables (pv/callback.c): any canonical handler is taken, one in
//      the hypervisor's range too (it faults in ring 3 when used, and that
//      page fault is the kernel's); a ring-0 code selector is raised to
//      ring 3; non-canonical handlers -EINVAL, unreadable tables -EFAULT;
//   2. descriptors (pv/descriptor-tables.c, check_descriptor): code and
//      data segments get DPL 3, call gates are kept only when they lead to
//      a guest code segment (their DPL forced to 0 so every use traps),
//      TSS, LDT and interrupt-gate descriptors -EINVAL, and GDT frames must
//      be ours and not writable;
//   3. event ports (common/event_channel.c): port 0 is reserved, ports at
//      or past the 2-level limit (4096) are invalid, a closed port below
//      it can be unmasked and asked about but not used;
//   4. port I/O (pv/emul-priv-op.c): below the virtual IOPL the kernel's
//      in/out/cli fault with #GP(0); at IOPL 1 a port the domain was not
//      given reads as all ones and ignores writes, the hypervisor's own
//      devices (interrupt controller, timer, its serial line) included.
#include "abi/arch_x86_64.hpp"
#include "abi/event_channel.hpp"
#include "abi/physdev.hpp"
#include "abi/sched.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/fault.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "hostile_cpu";

namespace {

constexpr long kENOENT = -2, kESRCH = -3, kEFAULT = -14, kEINVAL = -22;
constexpr uint64_t kDirectMapVa = 0xffff830000001000ull;  // the hypervisor's direct map
constexpr uint64_t kNonCanonical = 0x8000000000001000ull;
constexpr uint64_t kHypervisorImage = 0x200;
constexpr uint32_t kPortLimit = 4096;  // the 2-level ABI's ports (64 x 64)
constexpr unsigned kGuestGdtEntries = 14 * 512;  // FIRST_RESERVED_GDT_ENTRY

// Descriptors (SDM vol. 3A 3.4.5, 5.8.3): base 0 and limit 0 where unused.
constexpr uint64_t kCode64Dpl0 = 0x00209a0000000000ull;
constexpr uint64_t kCode64Dpl3 = 0x0020fa0000000000ull;
constexpr uint64_t kDataDpl0 = 0x00cf92000000ffffull;
constexpr uint64_t kDataDpl3 = 0x00cff2000000ffffull;
constexpr uint64_t kTss64 = 0x0000890000000067ull;
constexpr uint64_t kLdt = 0x0000820000000fffull;
constexpr uint64_t kInterruptGate = 0x00008e00e0331000ull;          // to FLAT_KERNEL_CS:0x1000
constexpr uint64_t kCallGateToGuest = 0x0000ec00e0331000ull;        // DPL 3, to FLAT_KERNEL_CS
constexpr uint64_t kCallGateKept = 0x00008c00e0331000ull;           // Xen's form: DPL 0, the DPL in the RPL
constexpr uint64_t kCallGateToHypervisor = 0x0000ec00e0081000ull;   // to the hypervisor's ring-0 CS
constexpr uint64_t kNotPresentJunk = 0xffff7fffffffffffull;         // P clear
constexpr uint64_t kSystemType0 = 0x0000800000000000ull;            // present, type 0

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, expected %ld", what, r, expected);
}

long set_trap_table(const xen::trap_info* t) { return hypercall(xen::HYPERVISOR_set_trap_table, ptr(t)); }
long set_trap(uint8_t vector, uint8_t flags, uint16_t cs, uint64_t address)
{
    const xen::trap_info t[] = {{vector, flags, cs, 0, address}, {0, 0, 0, 0, 0}};
    return set_trap_table(t);
}

void do_int3(void*) { asm volatile("int3"); }
void do_ud2(void*) { asm volatile("ud2"); }

void trap_tables()
{
    long r = set_trap(3, 3, xen::FLAT_KERNEL_CS, kDirectMapVa);
    expect("set_trap_table with a handler in the hypervisor's range", r, 0);
    if (r == 0) {
        bool faulted = fault_probe(do_int3);
        const Fault& f = last_fault();
        bool ok = faulted && f.vector == 14 && f.cr2 == kDirectMapVa && f.rip == kDirectMapVa;
        print("int3 through it: %s\n", ok ? "page fault at the handler" : "no page fault at the handler");
        check(ok, "int3 through a hypervisor-range handler: vector %d rip %lx cr2 %lx", static_cast<int>(f.vector),
              f.rip, f.cr2);
    }
    expect("set_trap_table with a non-canonical handler", set_trap(3, 3, xen::FLAT_KERNEL_CS, kNonCanonical), kEINVAL);
    check(set_trap(3, 3, xen::FLAT_KERNEL_CS, fault_handler_address(3)) == 0, "restoring the #BP handler");
    expect("set_trap_table reading a non-canonical table",
           set_trap_table(reinterpret_cast<const xen::trap_info*>(kNonCanonical)), kEFAULT);
    expect("set_trap_table reading the hypervisor's memory",
           set_trap_table(reinterpret_cast<const xen::trap_info*>(kDirectMapVa)), kEFAULT);

    // A ring-0 code selector: the handler still runs in ring 3.
    expect("set_trap_table naming the hypervisor's code selector", set_trap(6, 0, 0xe008, fault_handler_address(6)),
           0);
    bool faulted = fault_probe(do_ud2);
    const Fault& f = last_fault();
    print("ud2 through it: handler ran with cs %x\n", f.handler_cs);
    check(faulted && f.vector == 6 && f.handler_cs == xen::FLAT_KERNEL_CS, "ud2: vector %d, handler cs %x",
          static_cast<int>(f.vector), f.handler_cs);
    check(set_trap(6, 0, xen::FLAT_KERNEL_CS, fault_handler_address(6)) == 0, "restoring the #UD handler");
}

long update_descriptor(uint64_t maddr, uint64_t desc)
{
    return hypercall(xen::HYPERVISOR_update_descriptor, maddr, desc);
}

long set_gdt(const uint64_t* frames, unsigned entries)
{
    return hypercall(xen::HYPERVISOR_set_gdt, ptr(frames), entries);
}

// One descriptor written with update_descriptor into a frame of ours,
// then read back as the hypervisor stored it.
void descriptor(const char* what, uint64_t frame, const volatile uint64_t* view, unsigned slot, uint64_t desc,
                long expected, uint64_t stored)
{
    long r = update_descriptor((frame << 12) + slot * 8, desc);
    uint64_t now = view[slot];
    if (r == 0)
        print("update_descriptor, %s: 0, stored %016lx\n", what, now);
    else
        print("update_descriptor, %s: %ld\n", what, r);
    check(r == expected, "update_descriptor, %s: %ld, expected %ld", what, r, expected);
    if (r == 0 && expected == 0)
        check(now == stored, "update_descriptor, %s: stored %016lx, expected %016lx", what, now, stored);
}

uint16_t g_selector;
void load_ds(void*) { asm volatile("mov %0, %%ds" : : "r"(g_selector)); }

void descriptors()
{
    // update_descriptor into an ordinary page, seen through the scratch page.
    uint64_t d = spare_mfn(0);
    long r;
    volatile uint64_t* view = scratch_open(d, &r);
    check(view != nullptr, "mapping a descriptor page: %ld", r);
    if (!view)
        return;
    for (unsigned i = 0; i < 16; ++i)
        view[i] = 0;
    descriptor("64-bit code, DPL 0", d, view, 1, kCode64Dpl0, 0, kCode64Dpl3);
    descriptor("data, DPL 0", d, view, 2, kDataDpl0, 0, kDataDpl3);
    descriptor("64-bit code, DPL 3", d, view, 3, kCode64Dpl3, 0, kCode64Dpl3);
    descriptor("a 64-bit TSS", d, view, 4, kTss64, kEINVAL, 0);
    descriptor("an LDT", d, view, 5, kLdt, kEINVAL, 0);
    descriptor("an interrupt gate", d, view, 6, kInterruptGate, kEINVAL, 0);
    descriptor("a call gate to the kernel's code selector", d, view, 7, kCallGateToGuest, 0, kCallGateKept);
    descriptor("a call gate to the hypervisor's code selector", d, view, 9, kCallGateToHypervisor, kEINVAL, 0);
    descriptor("not present, any bits", d, view, 11, kNotPresentJunk, 0, kNotPresentJunk);
    descriptor("present, system type 0", d, view, 12, kSystemType0, 0, kSystemType0);
    expect("update_descriptor at a misaligned address", update_descriptor((d << 12) + 4, kDataDpl3), kEINVAL);
    scratch_close();
    uint64_t l4 = mfn_of_va(boot_window().l4_va);
    expect("update_descriptor into our L4", update_descriptor(l4 << 12, kDataDpl3), kEINVAL);
    expect("update_descriptor into the hypervisor's image", update_descriptor(kHypervisorImage << 12, kDataDpl3),
           kEINVAL);
    expect("update_descriptor past the end of memory", update_descriptor(0x7ffffffffull << 12, kDataDpl3), kEINVAL);

    // set_gdt: a frame of DPL 0 segments is taken and raised to DPL 3.
    uint64_t g = spare_mfn(1), bad = spare_mfn(2);
    const unsigned idx[] = {1, 2, 3};
    const uint64_t gdt[] = {kDataDpl0, kCode64Dpl0, 0};
    check(fill_frame(g, idx, gdt, 3) == 0, "preparing the GDT frame");
    const uint64_t tss[] = {kDataDpl0, kTss64, 0};
    check(fill_frame(bad, idx, tss, 3) == 0, "preparing the bad GDT frame");
    uint64_t frames[1] = {bad};
    expect("set_gdt with a TSS descriptor", set_gdt(frames, 3), kEINVAL);
    frames[0] = mfn_of_va(padding_va(3));
    expect("set_gdt with a frame mapped writable", set_gdt(frames, 3), kEINVAL);
    frames[0] = kHypervisorImage;
    expect("set_gdt with the hypervisor's image", set_gdt(frames, 3), kEINVAL);
    frames[0] = g;
    expect("set_gdt with more entries than the guest owns", set_gdt(frames, kGuestGdtEntries + 1), kEINVAL);
    expect("set_gdt reading the hypervisor's memory", set_gdt(reinterpret_cast<const uint64_t*>(kDirectMapVa), 3),
           kEFAULT);
    expect("set_gdt with DPL 0 code and data", set_gdt(frames, 4), 0);
    const volatile uint64_t* seen = scratch_peek(g);
    if (seen) {
        print("the GDT as stored: %016lx %016lx\n", seen[1], seen[2]);
        check(seen[1] == kDataDpl3 && seen[2] == kCode64Dpl3, "GDT stored as %016lx %016lx", seen[1], seen[2]);
    }
    scratch_close();
    expect("mapping the GDT frame writable", scratch_open(g, &r) ? 0 : r, -16);
    scratch_close();
    expect("update_descriptor putting a TSS into the GDT", update_descriptor((g << 12) + 3 * 8, kTss64), kEINVAL);
    expect("update_descriptor putting DPL 0 code into the GDT", update_descriptor((g << 12) + 3 * 8, kCode64Dpl0), 0);
    seen = scratch_peek(g);
    check(seen && seen[3] == kCode64Dpl3, "GDT entry 3 stored as %016lx", seen ? seen[3] : 0);
    scratch_close();

    // The raised data segment loads from ring 3.
    uint16_t ds;
    asm volatile("mov %%ds, %0" : "=r"(ds));
    g_selector = (1 << 3) | 3;
    bool faulted = fault_probe(load_ds);
    uint16_t now;
    asm volatile("mov %%ds, %0" : "=r"(now));
    print("loading our data selector %x: %s\n", g_selector, faulted ? "#GP" : "loaded");
    check(!faulted && now == g_selector, "loading ds %x: faulted %d, ds %x", g_selector, faulted, now);
    g_selector = ds;
    load_ds(nullptr);
    expect("set_gdt with no entries", set_gdt(nullptr, 0), 0);
    expect("the old GDT frame mapped writable again", scratch_open(g, &r) ? 0 : r, 0);
    scratch_close();
}

long evtchn_close(uint32_t port)
{
    xen::evtchn_close c{port};
    return evtchn_op(xen::EVTCHNOP_close, &c);
}

long evtchn_unmask(uint32_t port)
{
    xen::evtchn_unmask u{port};
    return evtchn_op(xen::EVTCHNOP_unmask, &u);
}

long evtchn_bind_vcpu(uint32_t port, uint32_t vcpu)
{
    xen::evtchn_bind_vcpu b{port, vcpu};
    return evtchn_op(xen::EVTCHNOP_bind_vcpu, &b);
}

long evtchn_status(uint16_t dom, uint32_t port, uint32_t* status)
{
    xen::evtchn_status st{};
    st.dom = dom;
    st.port = port;
    long r = evtchn_op(xen::EVTCHNOP_status, &st);
    *status = st.status;
    return r;
}

// Every call on one port, printed on one line.
void port_calls(const char* what, uint32_t port, long send, long unmask, long bind_vcpu, long status,
                uint32_t status_value)
{
    uint32_t st = ~0u;
    long rs = evtchn_send(port), ru = evtchn_unmask(port), rb = evtchn_bind_vcpu(port, 0);
    long rt = evtchn_status(xen::DOMID_SELF, port, &st);
    print("%s: send %ld, unmask %ld, bind_vcpu %ld, status %ld", what, rs, ru, rb, rt);
    if (rt == 0)
        print(" (%u)", st);
    print("\n");
    check(rs == send && ru == unmask && rb == bind_vcpu && rt == status,
          "%s: send %ld unmask %ld bind_vcpu %ld status %ld, expected %ld %ld %ld %ld", what, rs, ru, rb, rt, send,
          unmask, bind_vcpu, status);
    if (rt == 0 && status == 0)
        check(st == status_value, "%s: status %u, expected %u", what, st, status_value);
}

void event_ports()
{
    xen::evtchn_alloc_unbound a{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    check(evtchn_op(xen::EVTCHNOP_alloc_unbound, &a) == 0, "alloc_unbound");
    uint32_t unbound = a.port;
    xen::evtchn_alloc_unbound b{xen::DOMID_SELF, xen::DOMID_SELF, 0};
    check(evtchn_op(xen::EVTCHNOP_alloc_unbound, &b) == 0 && evtchn_close(b.port) == 0, "a port to close");
    uint32_t closed = b.port;
    check(unbound < 64 && closed < 64, "ports %u and %u beyond the first 64", unbound, closed);

    port_calls("port 0 (reserved)", 0, kEINVAL, 0, kEINVAL, 0, xen::EVTCHNSTAT_closed);
    port_calls("port 4096 (the limit)", kPortLimit, kEINVAL, kEINVAL, kEINVAL, kEINVAL, 0);
    port_calls("port 0xffffffff", 0xffffffffu, kEINVAL, kEINVAL, kEINVAL, kEINVAL, 0);
    port_calls("a closed port", closed, kEINVAL, 0, kEINVAL, 0, xen::EVTCHNSTAT_closed);
    port_calls("an unbound port", unbound, 0, 0, 0, 0, xen::EVTCHNSTAT_unbound);
    expect("close of port 0", evtchn_close(0), kEINVAL);
    expect("close of port 4096", evtchn_close(kPortLimit), kEINVAL);
    expect("close of a closed port", evtchn_close(closed), kEINVAL);
    expect("bind_vcpu of the unbound port to vCPU 5", evtchn_bind_vcpu(unbound, 5), kENOENT);
    expect("bind_vcpu of port 4096 to vCPU 5", evtchn_bind_vcpu(kPortLimit, 5), kENOENT);
    uint32_t st;
    expect("status of a port of domain 999", evtchn_status(999, 1, &st), kESRCH);
    xen::evtchn_bind_interdomain bi{xen::DOMID_SELF, 0, 0, 0};
    expect("bind_interdomain to our port 0", evtchn_op(xen::EVTCHNOP_bind_interdomain, &bi), kEINVAL);
    bi.remote_port = kPortLimit;
    expect("bind_interdomain to our port 4096", evtchn_op(xen::EVTCHNOP_bind_interdomain, &bi), kEINVAL);
    bi.remote_dom = 999;
    bi.remote_port = unbound;
    expect("bind_interdomain to domain 999", evtchn_op(xen::EVTCHNOP_bind_interdomain, &bi), kESRCH);
    expect("close of the unbound port", evtchn_close(unbound), 0);

    // The channels still work: an IPI to ourselves is raised.
    xen::evtchn_bind_ipi ipi{0, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_ipi, &ipi);
    bool raised = r == 0 && evtchn_send(ipi.port) == 0 && evtchn_take(ipi.port);
    print("an IPI after all that: %s\n", raised ? "raised" : "lost");
    check(raised, "IPI: bind %ld, port %u", r, ipi.port);
    evtchn_close(ipi.port);
}

long set_iopl(uint32_t iopl)
{
    xen::physdev_set_iopl req{iopl};
    return hypercall(xen::HYPERVISOR_physdev_op, xen::PHYSDEVOP_set_iopl, ptr(&req));
}

uint64_t g_rax;  // in: what RAX holds before the instruction; out: after
void inb_pit(void*)
{
    uint64_t v = g_rax;
    asm volatile("inb $0x40, %%al" : "+a"(v));
    g_rax = v;
}
void inw_pic(void*)
{
    uint64_t v = g_rax;
    asm volatile("inw $0x20, %%ax" : "+a"(v));
    g_rax = v;
}
void inl_com1(void*)
{
    uint64_t v = g_rax;
    asm volatile("inl %%dx, %%eax" : "+a"(v) : "d"(uint16_t{0x3f8}));
    g_rax = v;
}
void inb_pic_mask(void*)
{
    uint64_t v = g_rax;
    asm volatile("inb %%dx, %%al" : "+a"(v) : "d"(uint16_t{0x21}));
    g_rax = v;
}
// All interrupts masked at the PIC, the PIT's channel 0 count zeroed.
void out_pic_mask(void*) { asm volatile("outb %%al, $0x21" : : "a"(0xff)); }
void out_pit(void*) { asm volatile("outb %%al, $0x40\n outb %%al, $0x40" : : "a"(0)); }
void do_cli(void*) { asm volatile("cli"); }

// An in/out that must fault with #GP(0), or must not fault and leave RAX
// as `rax_after` (when want_rax).
void io(const char* what, void (*fn)(void*), bool faults, bool want_rax = false, uint64_t rax_after = 0)
{
    g_rax = 0x1122334455667788ull;
    bool faulted = fault_probe(fn);
    const Fault& f = last_fault();
    if (faulted)
        print("%s: #%s(%lx)\n", what, f.vector == 13 ? "GP" : "other", f.error);
    else if (want_rax)
        print("%s: no fault, rax %016lx\n", what, g_rax);
    else
        print("%s: no fault\n", what);
    if (faults)
        check(faulted && f.vector == 13 && f.error == 0, "%s: faulted %d vector %d error %lx", what, faulted,
              static_cast<int>(f.vector), f.error);
    else
        check(!faulted, "%s: vector %d at %lx", what, static_cast<int>(f.vector), f.rip);
    if (!faults && want_rax)
        check(g_rax == rax_after, "%s: rax %016lx, expected %016lx", what, g_rax, rax_after);
}

void port_io()
{
    expect("set_iopl 0", set_iopl(0), 0);
    io("inb from the PIT at IOPL 0", inb_pit, true);
    io("outb to the PIC at IOPL 0", out_pic_mask, true);
    io("cli at IOPL 0", do_cli, true);
    expect("set_iopl 4", set_iopl(4), kEINVAL);
    expect("set_iopl 1", set_iopl(1), 0);
    io("inb from the PIT at IOPL 1", inb_pit, false, true, 0x11223344556677ffull);
    io("inw from the PIC at IOPL 1", inw_pic, false, true, 0x112233445566ffffull);
    io("inl from the hypervisor's serial line at IOPL 1", inl_com1, false, true, 0x00000000ffffffffull);
    io("outb masking every PIC interrupt at IOPL 1", out_pic_mask, false);
    io("outb zeroing the PIT at IOPL 1", out_pit, false);
    io("inb of the PIC mask at IOPL 1", inb_pic_mask, false, true, 0x11223344556677ffull);
    uint8_t mask_before = shared_info()->vcpu_info[0].evtchn_upcall_mask;
    io("cli at IOPL 1", do_cli, false);
    check(shared_info()->vcpu_info[0].evtchn_upcall_mask == mask_before, "cli changed the upcall mask");
    // The hypervisor's timer still works: VIRQ_TIMER fires for a deadline
    // 20 ms ahead. Polled with events masked (SCHEDOP_block would unmask
    // them, and this kernel has no event callback).
    xen::evtchn_bind_virq virq{xen::VIRQ_TIMER, 0, 0};
    check(evtchn_op(xen::EVTCHNOP_bind_virq, &virq) == 0, "bind_virq(VIRQ_TIMER)");
    hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_stop_periodic_timer, 0, 0);
    uint64_t deadline = system_time_ns() + 20000000;
    evtchn_take(virq.port);
    hypercall(xen::HYPERVISOR_set_timer_op, deadline);
    bool fired = false;
    while (!(fired = evtchn_take(virq.port)) && system_time_ns() < deadline + 2000000000ull)
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    bool on_time = fired && system_time_ns() >= deadline;
    print("a 20 ms timer after the writes: %s\n", on_time ? "fired" : "did not fire");
    check(on_time, "VIRQ_TIMER after the port writes: fired %d", fired);
    evtchn_close(virq.port);
    expect("set_iopl 0 again", set_iopl(0), 0);
    io("inb from the PIT at IOPL 0 again", inb_pit, true);
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    mm_init(si);
    long r = fault_handlers_install();
    check(r == 0, "set_trap_table: %ld", r);
    if (failures())
        return;
    trap_tables();
    descriptors();
    event_ports();
    port_io();
    print("still running after every refusal\n");
}
