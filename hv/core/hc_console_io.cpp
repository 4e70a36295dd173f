// console_io: dom0 writes to and reads from the hypervisor's serial console.
// Other domains may write (each line prefixed with the domain's name, where
// Xen with guest_loglvl writes its id); only a privileged domain may read.
#include "abi/xen.hpp"
#include "hv/core/guest_console.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

// Bytes handled per round; longer writes continue in a fresh hypercall so
// one guest cannot hold a CPU for an unbounded time.
constexpr uint64_t kChunk = 1024;

HypercallResult console_write(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t count = args.a[1], buffer = args.a[2];
    char buf[256];
    uint64_t done = 0;
    while (done < count && done < kChunk) {
        uint64_t n = count - done;
        if (n > sizeof(buf))
            n = sizeof(buf);
        if (platform().copy_from_guest(buf, buffer + done, n) != Status::OK)
            return hc_error(Status::FAULT);
        if (d.privileged)
            platform().console_write(buf, n);
        else
            guest_console_write(d, buf, n);
        done += n;
    }
    if (done < count) {
        args.a[1] = count - done;
        args.a[2] = buffer + done;
        return kHypercallRestart;
    }
    return 0;
}

}  // namespace

HypercallResult do_console_io(Vcpu& v, HypercallArgs& args)
{
    uint64_t cmd = args.a[0], count = args.a[1], buffer = args.a[2];
    switch (cmd) {
    case xen::CONSOLEIO_write:
        return console_write(v, args);
    case xen::CONSOLEIO_read: {
        if (!v.domain->privileged)
            return hc_error(Status::PERMISSION);
        char buf[256];
        size_t n = count < sizeof(buf) ? count : sizeof(buf);
        n = platform().console_read(buf, n);
        if (n && platform().copy_to_guest(buffer, buf, n) != Status::OK)
            return hc_error(Status::FAULT);
        return static_cast<HypercallResult>(n);
    }
    default:
        report_unsupported(*v.domain, xen::HYPERVISOR_console_io, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo
