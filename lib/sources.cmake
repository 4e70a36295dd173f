# Support code shared by the hypervisor, the guests and the hosted tests.
set(VIREO_LIB_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/format.cpp
    ${CMAKE_CURRENT_LIST_DIR}/status.cpp)
# Only freestanding builds need our own memcpy & co.
set(VIREO_LIB_FREESTANDING_SOURCES ${CMAKE_CURRENT_LIST_DIR}/string.cpp)
