# Flags for code that runs with no operating system under it: the hypervisor,
# the guest runtime and the test kernels. No exceptions, no RTTI, no red zone
# (interrupts and bounce frames write below the stack pointer), no SSE (the
# hypervisor never saves guest vector state on entry), frame pointers kept for
# the panic backtrace.
set(VIREO_FREESTANDING_CXX_FLAGS
    -ffreestanding -fno-exceptions -fno-rtti -fno-threadsafe-statics
    -fno-use-cxa-atexit -fno-stack-protector -fno-builtin
    -mno-red-zone -mgeneral-regs-only -mno-sse -mno-mmx -mno-sse2
    -fno-omit-frame-pointer -fno-asynchronous-unwind-tables
    -fcf-protection=none -Wall -Wextra -Werror=return-type)

# The hypervisor lives where Xen's x86-64 PV ABI reserves room for it:
# 0xffff800000000000-0xffff87ffffffffff, outside the top 2 GiB that the kernel
# code model requires (the guest kernel owns that). Like Xen it is therefore
# built position-independent, which gives RIP-relative addressing in the small
# model; absolute 64-bit relocations are resolved at link time.
set(VIREO_HV_CXX_FLAGS ${VIREO_FREESTANDING_CXX_FLAGS} -fpie -fvisibility=hidden)

# Guest kernels live in the top 2 GiB (Xen's VIRT_BASE 0xffffffff80000000), so
# they use the kernel code model.
set(VIREO_GUEST_CXX_FLAGS ${VIREO_FREESTANDING_CXX_FLAGS} -mcmodel=kernel -fno-pie)

function(vireo_freestanding target flavour)
    if(flavour STREQUAL "HV")
        target_compile_options(${target} PRIVATE
            $<$<COMPILE_LANGUAGE:CXX>:${VIREO_HV_CXX_FLAGS}>
            $<$<COMPILE_LANGUAGE:ASM>:-fpie>)
    else()
        target_compile_options(${target} PRIVATE
            $<$<COMPILE_LANGUAGE:CXX>:${VIREO_GUEST_CXX_FLAGS}>)
    endif()
    target_compile_definitions(${target} PRIVATE VIREO_FREESTANDING=1)
    target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR})
endfunction()
