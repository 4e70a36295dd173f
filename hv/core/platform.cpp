#include "hv/core/platform.hpp"

namespace vireo {

Platform g_platform;

void platform_install(const Platform& ops) { g_platform = ops; }

}  // namespace vireo
