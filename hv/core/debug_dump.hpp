// Debug-key dumps of domains and vCPUs (Xen's 'q'/'d' keys play this role).
#pragma once

namespace vireo {

void dump_domains();
void debug_dump_register_keys();

}  // namespace vireo
