# Support code shared by the hypervisor, the guests and the hosted tests.
set(VIREO_LIB_SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/bcj_x86.cpp
    ${CMAKE_CURRENT_LIST_DIR}/crc.cpp
    ${CMAKE_CURRENT_LIST_DIR}/format.cpp
    ${CMAKE_CURRENT_LIST_DIR}/lzma2_decoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/lzma_decoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/status.cpp
    ${CMAKE_CURRENT_LIST_DIR}/xz_decoder.cpp
    ${CMAKE_CURRENT_LIST_DIR}/xz_stream.cpp)
# Only freestanding builds need our own memcpy & co.
set(VIREO_LIB_FREESTANDING_SOURCES ${CMAKE_CURRENT_LIST_DIR}/string.cpp)
