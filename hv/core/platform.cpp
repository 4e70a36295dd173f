#include "hv/core/platform.hpp"
#include "hv/core/hot_path.hpp"

namespace vireo {

VIREO_HOT_DATA Platform g_platform;

void platform_install(const Platform& ops) { g_platform = ops; }

}  // namespace vireo
