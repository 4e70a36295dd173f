#include "hv/core/platform.hpp"

namespace vireo {
namespace {
Platform g_platform;
}

void platform_install(const Platform& ops) { g_platform = ops; }
const Platform& platform() { return g_platform; }

}  // namespace vireo
