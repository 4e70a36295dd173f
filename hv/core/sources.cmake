# The portable hypervisor core: compiled freestanding into the hypervisor and
# hosted into the unit tests and fuzzers. No hardware access in here: every
# .cpp file in hv/core belongs to it.
file(GLOB VIREO_CORE_SOURCES CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.cpp)
