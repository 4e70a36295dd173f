// multicall: a batch of hypercalls for the cost of one guest entry and exit
// (the paper's batching, and how Linux issues most MMU and descriptor work).
//
// Each entry is read, run through the normal handler table and its result
// written back; a failing entry does not stop the batch (the guest reads
// each result). A batch is preemptible: every kEntriesPerRound entries when
// something else waits for the CPU (as Xen's preemption check), and
// whenever an entry itself asks for a continuation, the multicall
// restarts at the first unfinished entry (an entry's own updated arguments
// are written back into it first), so one domain's long batch cannot hold
// the CPU.
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint64_t kEntriesPerRound = 64;

// iret replaces the whole register frame and a nested multicall would
// recurse: neither may run inside a batch (Xen's table leaves them out).
bool allowed_in_batch(uint64_t op)
{
    return op != xen::HYPERVISOR_iret && op != xen::HYPERVISOR_multicall;
}

}  // namespace

VIREO_WARM HypercallResult do_multicall(Vcpu& v, HypercallArgs& args)
{
    uint64_t list = args.a[0];
    uint64_t nr = args.a[1] & 0xffffffffu;  // unsigned int in the ABI
    for (uint64_t i = 0; i < nr; ++i) {
        if (i && i % kEntriesPerRound == 0 && hypercall_should_yield()) {
            args.a[0] = list, args.a[1] = nr - i;
            return kHypercallRestart;
        }
        xen::multicall_entry e;
        if (platform().copy_from_guest(&e, list, sizeof e) != Status::OK)
            return hc_error(Status::FAULT);
        HypercallHandler handler = allowed_in_batch(e.op) ? hypercall_handler(e.op) : nullptr;
        // A domain-local batch goes on under the hypervisor lock from the
        // first entry that is not local (hypercall.hpp).
        if (v.in_local_hypercall && !(handler && hypercall_runs_local(e.op))) {
            args.a[0] = list, args.a[1] = nr - i;
            return kHypercallNeedsExclusive;
        }
        HypercallArgs sub{e.op, {e.args[0], e.args[1], e.args[2], e.args[3], e.args[4], e.args[5]}};
        HypercallResult r = handler ? handler(v, sub) : hc_error(Status::NOT_SUPPORTED);
        if (!handler)
            report_unsupported(*v.domain, e.op, -1);
        if (r == kHypercallRestart || r == kHypercallNeedsExclusive) {
            for (unsigned k = 0; k < 6; ++k)
                e.args[k] = sub.a[k];
            if (platform().copy_to_guest(list, &e, sizeof e) != Status::OK)
                return hc_error(Status::FAULT);
            args.a[0] = list, args.a[1] = nr - i;
            return r;
        }
        e.result = r;
        if (platform().copy_to_guest(list + offsetof(xen::multicall_entry, result), &e.result, sizeof e.result) !=
            Status::OK)
            return hc_error(Status::FAULT);
        // A call that crashed the domain or took the vCPU off the CPU for
        // good ends the batch here.
        if (v.domain->state != DomainState::RUNNING)
            return 0;
        list += sizeof e;
    }
    return 0;
}

}  // namespace vireo
