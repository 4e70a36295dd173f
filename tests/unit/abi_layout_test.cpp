// The ABI test: every size, offset and constant of abi/ equals Debian's
// libxen-dev headers (Xen 4.17, interface 0x00040d00). This TU sees only
// Xen's headers; abi_ours.cpp sees only ours.
#define __XEN_INTERFACE_VERSION__ 0x00040d00
#define __XEN_TOOLS__ 1  // domctl.h is for toolstacks
#include <cstddef>
#include <cstring>
#include <string>

#include <gtest/gtest.h>

extern "C" {
#include <xen/xen.h>
#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/physdev.h>
#include <xen/vcpu.h>
#include <xen/memory.h>
// domctl.h pulls in hvm/save.h, which refuses strict ISO mode for its
// anonymous unions; the layouts are the same either way.
#undef __STRICT_ANSI__
#include <xen/domctl.h>
#include <xen/elfnote.h>
#include <xen/features.h>
#include <xen/sched.h>
#include <xen/version.h>
#include <xen/platform.h>
#include <xen/sysctl.h>
}

#include "tests/unit/abi_table.hpp"

// Xen's hypercall macros carry two leading underscores.
#define CH(name) {"HYPERVISOR_" #name, static_cast<unsigned long long>(__HYPERVISOR_##name)}
#define NR_VIRQS_ NR_VIRQS
#define F(s, f) {#s "." #f, offsetof(struct s, f)}
#define Z(s) {"sizeof " #s, sizeof(struct s)}
#define C(name) {#name, static_cast<unsigned long long>(name)}

const AbiEntry kXenAbi[] = {
    Z(xen_sysctl), F(xen_sysctl, interface_version), F(xen_sysctl, u), Z(xen_sysctl_physinfo),
    F(xen_sysctl_physinfo, nr_cpus), F(xen_sysctl_physinfo, max_cpu_id), F(xen_sysctl_physinfo, cpu_khz),
    F(xen_sysctl_physinfo, capabilities), F(xen_sysctl_physinfo, total_pages), F(xen_sysctl_physinfo, free_pages),
    F(xen_sysctl_physinfo, scrub_pages), F(xen_sysctl_physinfo, outstanding_pages), F(xen_sysctl_physinfo, max_mfn),
    F(xen_sysctl_physinfo, hw_cap), C(XEN_SYSCTL_INTERFACE_VERSION), C(XEN_SYSCTL_physinfo),
    C(XEN_SYSCTL_PHYSCAP_hvm), C(XEN_SYSCTL_PHYSCAP_pv), C(XEN_SYSCTL_PHYSCAP_gnttab_v1),
    Z(xen_domctl), F(xen_domctl, interface_version), F(xen_domctl, domain), F(xen_domctl, u),
    Z(xen_domctl_getdomaininfo), F(xen_domctl_getdomaininfo, flags), F(xen_domctl_getdomaininfo, tot_pages),
    F(xen_domctl_getdomaininfo, shared_info_frame), F(xen_domctl_getdomaininfo, cpu_time),
    F(xen_domctl_getdomaininfo, nr_online_vcpus), F(xen_domctl_getdomaininfo, max_vcpu_id),
    F(xen_domctl_getdomaininfo, handle), F(xen_domctl_getdomaininfo, cpupool),
    F(xen_domctl_getdomaininfo, gpaddr_bits), F(xen_domctl_getdomaininfo, arch_config),
    F(xen_domctl_scheduler_op, cmd), F(xen_domctl_scheduler_op, u), C(XEN_DOMCTL_INTERFACE_VERSION),
    C(XEN_DOMCTL_getdomaininfo), C(XEN_DOMCTL_scheduler_op), C(XEN_DOMINF_dying), C(XEN_DOMINF_shutdown),
    C(XEN_DOMINF_paused), C(XEN_DOMINF_blocked), C(XEN_DOMINF_running), C(XEN_DOMINF_shutdownshift),
    C(XEN_DOMCTL_SCHEDOP_putinfo), C(XEN_DOMCTL_SCHEDOP_getinfo),
    Z(iret_context), F(iret_context, flags), F(iret_context, rip), F(iret_context, ss),
    Z(trap_info), F(trap_info, flags), F(trap_info, cs), F(trap_info, address),
    Z(callback_register), F(callback_register, flags), F(callback_register, address), Z(callback_unregister),
    C(SEGBASE_FS), C(SEGBASE_GS_USER), C(SEGBASE_GS_KERNEL), C(SEGBASE_GS_USER_SEL), C(VGCF_in_syscall),
    C(CALLBACKTYPE_event), C(CALLBACKTYPE_failsafe), C(CALLBACKTYPE_syscall), C(CALLBACKTYPE_nmi),
    C(CALLBACKTYPE_sysenter), C(CALLBACKTYPE_syscall32), C(CALLBACKF_mask_events), C(CALLBACKOP_register),
    C(CALLBACKOP_unregister),
    Z(mmu_update), F(mmu_update, val), Z(mmuext_op), F(mmuext_op, arg1), F(mmuext_op, arg2),
    C(MMU_NORMAL_PT_UPDATE), C(MMU_MACHPHYS_UPDATE), C(MMU_PT_UPDATE_PRESERVE_AD),
    C(MMU_PT_UPDATE_NO_TRANSLATE), C(MMUEXT_PIN_L1_TABLE), C(MMUEXT_PIN_L2_TABLE), C(MMUEXT_PIN_L3_TABLE),
    C(MMUEXT_PIN_L4_TABLE), C(MMUEXT_UNPIN_TABLE), C(MMUEXT_NEW_BASEPTR), C(MMUEXT_TLB_FLUSH_LOCAL),
    C(MMUEXT_INVLPG_LOCAL), C(MMUEXT_TLB_FLUSH_MULTI), C(MMUEXT_INVLPG_MULTI), C(MMUEXT_TLB_FLUSH_ALL),
    C(MMUEXT_INVLPG_ALL), C(MMUEXT_FLUSH_CACHE), C(MMUEXT_SET_LDT), C(MMUEXT_NEW_USER_BASEPTR),
    C(MMUEXT_CLEAR_PAGE), C(MMUEXT_COPY_PAGE), C(MMUEXT_FLUSH_CACHE_GLOBAL), C(MMUEXT_MARK_SUPER),
    C(MMUEXT_UNMARK_SUPER), C(UVMF_NONE), C(UVMF_TLB_FLUSH), C(UVMF_INVLPG), C(UVMF_FLUSHTYPE_MASK),
    C(UVMF_ALL),
    Z(evtchn_bind_pirq), F(evtchn_bind_pirq, flags), F(evtchn_bind_pirq, port), C(BIND_PIRQ__WILL_SHARE),
    Z(physdev_irq_status_query), F(physdev_irq_status_query, flags), Z(physdev_apic),
    F(physdev_apic, reg), F(physdev_apic, value), Z(physdev_map_pirq), F(physdev_map_pirq, type),
    F(physdev_map_pirq, index), F(physdev_map_pirq, pirq), F(physdev_map_pirq, bus),
    F(physdev_map_pirq, devfn), F(physdev_map_pirq, entry_nr), F(physdev_map_pirq, table_base),
    Z(physdev_irq), F(physdev_irq, vector), Z(physdev_unmap_pirq), F(physdev_unmap_pirq, pirq), Z(physdev_setup_gsi),
    F(physdev_setup_gsi, triggering), F(physdev_setup_gsi, polarity), Z(physdev_eoi),
    C(PHYSDEVOP_eoi), C(PHYSDEVOP_irq_status_query), C(PHYSDEVOP_apic_read), C(PHYSDEVOP_apic_write),
    C(PHYSDEVOP_alloc_irq_vector), C(PHYSDEVOP_map_pirq), C(PHYSDEVOP_unmap_pirq),
    C(PHYSDEVOP_manage_pci_add), C(PHYSDEVOP_manage_pci_remove), C(PHYSDEVOP_restore_msi),
    C(PHYSDEVOP_manage_pci_add_ext), C(PHYSDEVOP_setup_gsi), C(PHYSDEVOP_get_free_pirq),
    C(PHYSDEVOP_pci_mmcfg_reserved), C(PHYSDEVOP_pci_device_add), C(PHYSDEVOP_pci_device_remove),
    C(PHYSDEVOP_restore_msi_ext), C(PHYSDEVOP_pirq_eoi_gmfn_v2), C(XENIRQSTAT_needs_eoi),
    C(XENIRQSTAT_shared), C(MAP_PIRQ_TYPE_MSI), C(MAP_PIRQ_TYPE_GSI), C(MAP_PIRQ_TYPE_MSI_SEG),
    C(MAP_PIRQ_TYPE_MULTI_MSI),
    Z(evtchn_alloc_unbound), F(evtchn_alloc_unbound, port), Z(evtchn_bind_interdomain),
    F(evtchn_bind_interdomain, remote_port), F(evtchn_bind_interdomain, local_port), Z(evtchn_bind_virq),
    F(evtchn_bind_virq, port), Z(evtchn_bind_ipi), F(evtchn_bind_ipi, port), Z(evtchn_status),
    F(evtchn_status, status), F(evtchn_status, vcpu), F(evtchn_status, u), Z(evtchn_bind_vcpu),
    Z(vcpu_set_singleshot_timer), F(vcpu_set_singleshot_timer, flags),
    C(EVTCHNOP_bind_interdomain), C(EVTCHNOP_bind_virq), C(EVTCHNOP_bind_pirq), C(EVTCHNOP_close),
    C(EVTCHNOP_send), C(EVTCHNOP_status), C(EVTCHNOP_alloc_unbound), C(EVTCHNOP_bind_ipi),
    C(EVTCHNOP_bind_vcpu), C(EVTCHNOP_unmask), C(EVTCHNOP_reset), C(EVTCHNOP_init_control),
    C(EVTCHNOP_expand_array), C(EVTCHNOP_set_priority), C(EVTCHNSTAT_closed), C(EVTCHNSTAT_unbound),
    C(EVTCHNSTAT_interdomain), C(EVTCHNSTAT_pirq), C(EVTCHNSTAT_virq), C(EVTCHNSTAT_ipi),
    C(VCPUOP_initialise), C(VCPUOP_up), C(VCPUOP_down), C(VCPUOP_is_up), C(VCPUOP_get_runstate_info),
    C(VCPUOP_register_runstate_memory_area), C(VCPUOP_set_periodic_timer), C(VCPUOP_stop_periodic_timer),
    C(VCPUOP_set_singleshot_timer), C(VCPUOP_stop_singleshot_timer), C(VCPUOP_register_vcpu_info),
    C(VCPU_SSHOTTMR_future),
    Z(xen_memory_reservation), F(xen_memory_reservation, nr_extents), F(xen_memory_reservation, extent_order),
    F(xen_memory_reservation, mem_flags), F(xen_memory_reservation, domid), Z(xen_memory_exchange),
    F(xen_memory_exchange, out), F(xen_memory_exchange, nr_exchanged), Z(xen_memory_domain),
    Z(xen_machphys_mapping), F(xen_machphys_mapping, v_end), F(xen_machphys_mapping, max_mfn), Z(xen_memory_map),
    F(xen_memory_map, buffer), Z(xen_foreign_memory_map), F(xen_foreign_memory_map, map),
    C(XENMEM_increase_reservation), C(XENMEM_decrease_reservation), C(XENMEM_maximum_ram_page),
    C(XENMEM_current_reservation), C(XENMEM_maximum_reservation), C(XENMEM_machphys_mfn_list),
    C(XENMEM_populate_physmap), C(XENMEM_add_to_physmap), C(XENMEM_memory_map), C(XENMEM_machine_memory_map),
    C(XENMEM_exchange), C(XENMEM_machphys_mapping), C(XENMEM_set_memory_map), C(XENMEM_maximum_gpfn),
    C(XENMEM_remove_from_physmap), C(XENMEM_get_sharing_freed_pages), C(XENMEM_get_sharing_shared_pages),
    C(XENMEMF_populate_on_demand), C(XENMEMF_exact_node_request), C(XENMEMF_vnode), C(MACH2PHYS_NR_ENTRIES),
    C(XENMEMF_address_bits(32)), C(XENMEMF_get_address_bits(0x1234)), C(XENMEMF_node(3)),
    C(XENMEMF_get_node(0x400)),
    Z(vcpu_register_vcpu_info), F(vcpu_register_vcpu_info, offset), Z(vcpu_runstate_info),
    F(vcpu_runstate_info, state_entry_time), F(vcpu_runstate_info, time), C(RUNSTATE_running),
    C(RUNSTATE_runnable), C(RUNSTATE_blocked), C(RUNSTATE_offline), C(XEN_RUNSTATE_UPDATE),
    Z(vcpu_register_runstate_memory_area), Z(multicall_entry), F(multicall_entry, result),
    F(multicall_entry, args), C(VCPUOP_register_vcpu_time_memory_area),
    Z(cpu_user_regs), F(cpu_user_regs, rip), F(cpu_user_regs, cs), F(cpu_user_regs, saved_upcall_mask),
    F(cpu_user_regs, rflags), F(cpu_user_regs, ss), F(cpu_user_regs, gs), Z(vcpu_guest_context),
    F(vcpu_guest_context, flags), F(vcpu_guest_context, user_regs), F(vcpu_guest_context, trap_ctxt),
    F(vcpu_guest_context, ldt_ents), F(vcpu_guest_context, gdt_frames), F(vcpu_guest_context, gdt_ents),
    F(vcpu_guest_context, kernel_sp), F(vcpu_guest_context, ctrlreg), F(vcpu_guest_context, debugreg),
    F(vcpu_guest_context, event_callback_eip), F(vcpu_guest_context, syscall_callback_eip),
    F(vcpu_guest_context, fs_base), F(vcpu_guest_context, gs_base_user), C(VGCF_I387_VALID), C(VGCF_IN_KERNEL),
    C(VGCF_failsafe_disables_events), C(VGCF_syscall_disables_events), C(VGCF_online),
    Z(start_info), F(start_info, nr_pages), F(start_info, shared_info), F(start_info, flags),
    F(start_info, store_mfn), F(start_info, store_evtchn), F(start_info, console), F(start_info, pt_base),
    F(start_info, nr_pt_frames), F(start_info, mfn_list), F(start_info, mod_start), F(start_info, mod_len),
    F(start_info, cmd_line), F(start_info, first_p2m_pfn), F(start_info, nr_p2m_frames),
    Z(shared_info), F(shared_info, vcpu_info), F(shared_info, evtchn_pending), F(shared_info, evtchn_mask),
    F(shared_info, wc_version), F(shared_info, wc_sec), F(shared_info, wc_nsec), F(shared_info, wc_sec_hi),
    F(shared_info, arch),
    Z(vcpu_info), F(vcpu_info, evtchn_upcall_pending), F(vcpu_info, evtchn_upcall_mask),
    F(vcpu_info, evtchn_pending_sel), F(vcpu_info, arch), F(vcpu_info, time),
    Z(vcpu_time_info), F(vcpu_time_info, version), F(vcpu_time_info, tsc_timestamp),
    F(vcpu_time_info, system_time), F(vcpu_time_info, tsc_to_system_mul), F(vcpu_time_info, tsc_shift),
    F(vcpu_time_info, flags),
    Z(arch_vcpu_info), F(arch_vcpu_info, cr2),
    Z(arch_shared_info), F(arch_shared_info, max_pfn), F(arch_shared_info, pfn_to_mfn_frame_list_list),
    F(arch_shared_info, nmi_reason), F(arch_shared_info, p2m_cr3), F(arch_shared_info, p2m_vaddr),
    F(arch_shared_info, p2m_generation),
    Z(xen_compile_info), F(xen_compile_info, compile_by), F(xen_compile_info, compile_domain),
    F(xen_compile_info, compile_date),
    Z(xen_platform_parameters), Z(xen_feature_info), F(xen_feature_info, submap),
    Z(sched_shutdown), Z(sched_poll), F(sched_poll, nr_ports), F(sched_poll, timeout),
    Z(sched_remote_shutdown), F(sched_remote_shutdown, reason),
    CH(set_trap_table), CH(mmu_update), CH(set_gdt), CH(stack_switch),
    CH(set_callbacks), CH(fpu_taskswitch), CH(platform_op),
    CH(set_debugreg), CH(get_debugreg), CH(update_descriptor),
    CH(memory_op), CH(multicall), CH(update_va_mapping),
    CH(set_timer_op), CH(xen_version), CH(console_io),
    CH(grant_table_op), CH(vm_assist), CH(update_va_mapping_otherdomain),
    CH(iret), CH(vcpu_op), CH(set_segment_base), CH(mmuext_op),
    CH(xsm_op), CH(nmi_op), CH(sched_op), CH(callback_op),
    CH(xenoprof_op), CH(event_channel_op), CH(physdev_op), CH(hvm_op),
    CH(sysctl), CH(domctl), CH(kexec_op), CH(argo_op),
    CH(xenpmu_op), CH(dm_op), CH(hypfs_op),
    C(CONSOLEIO_write), C(CONSOLEIO_read), C(VMASST_CMD_enable), C(VMASST_CMD_disable),
    C(VMASST_TYPE_4gb_segments), C(VMASST_TYPE_4gb_segments_notify), C(VMASST_TYPE_writable_pagetables),
    C(VMASST_TYPE_pae_extended_cr3), C(VMASST_TYPE_architectural_iopl), C(VMASST_TYPE_runstate_update_flag),
    C(VMASST_TYPE_m2p_strict), C(DOMID_SELF), C(DOMID_IO), C(DOMID_XEN), C(DOMID_COW), C(DOMID_INVALID),
    C(DOMID_IDLE), C(SIF_PRIVILEGED), C(SIF_INITDOMAIN), C(SIF_MULTIBOOT_MOD), C(SIF_MOD_START_PFN),
    C(SIF_VIRT_P2M_4TOOLS), C(MAX_GUEST_CMDLINE), C(XEN_LEGACY_MAX_VCPUS),
    C(VIRQ_TIMER), C(VIRQ_DEBUG), C(VIRQ_CONSOLE), C(VIRQ_DOM_EXC), C(VIRQ_TBUF), C(VIRQ_DEBUGGER),
    C(VIRQ_XENOPROF), C(VIRQ_CON_RING), C(VIRQ_PCPU_STATE), C(VIRQ_MEM_EVENT), C(VIRQ_ARGO), C(VIRQ_ENOMEM),
    C(VIRQ_XENPMU), C(NR_VIRQS),
    C(FLAT_RING3_CS32), C(FLAT_RING3_CS64), C(FLAT_RING3_DS32), C(FLAT_RING3_DS64), C(FLAT_RING3_SS32),
    C(FLAT_RING3_SS64), C(FLAT_KERNEL_CS), C(FLAT_KERNEL_DS), C(FLAT_KERNEL_SS), C(FLAT_USER_CS64),
    C(HYPERVISOR_VIRT_START), C(HYPERVISOR_VIRT_END), C(MACH2PHYS_VIRT_START), C(MACH2PHYS_VIRT_END),
    C(SCHEDOP_yield), C(SCHEDOP_block), C(SCHEDOP_shutdown), C(SCHEDOP_poll), C(SCHEDOP_remote_shutdown),
    C(SCHEDOP_shutdown_code), C(SCHEDOP_watchdog), C(SCHEDOP_pin_override), C(SHUTDOWN_poweroff),
    C(SHUTDOWN_reboot), C(SHUTDOWN_suspend), C(SHUTDOWN_crash), C(SHUTDOWN_watchdog), C(SHUTDOWN_soft_reset),
    C(SHUTDOWN_MAX),
    C(XENVER_version), C(XENVER_extraversion), C(XENVER_compile_info), C(XENVER_capabilities),
    C(XENVER_changeset), C(XENVER_platform_parameters), C(XENVER_get_features), C(XENVER_pagesize),
    C(XENVER_guest_handle), C(XENVER_commandline), C(XENVER_build_id),
    C(XENFEAT_writable_page_tables), C(XENFEAT_writable_descriptor_tables), C(XENFEAT_auto_translated_physmap),
    C(XENFEAT_supervisor_mode_kernel), C(XENFEAT_pae_pgdir_above_4gb), C(XENFEAT_mmu_pt_update_preserve_ad),
    C(XENFEAT_highmem_assist), C(XENFEAT_gnttab_map_avail_bits), C(XENFEAT_hvm_callback_vector),
    C(XENFEAT_hvm_safe_pvclock), C(XENFEAT_hvm_pirqs), C(XENFEAT_dom0),
    C(XENFEAT_memory_op_vnode_supported), C(XENFEAT_linux_rsdp_unrestricted),
    C(XENFEAT_not_direct_mapped), C(XENFEAT_direct_mapped), C(XENFEAT_NR_SUBMAPS),
    C(XEN_ELFNOTE_INFO), C(XEN_ELFNOTE_ENTRY), C(XEN_ELFNOTE_HYPERCALL_PAGE), C(XEN_ELFNOTE_VIRT_BASE),
    C(XEN_ELFNOTE_PADDR_OFFSET), C(XEN_ELFNOTE_XEN_VERSION), C(XEN_ELFNOTE_GUEST_OS),
    C(XEN_ELFNOTE_GUEST_VERSION), C(XEN_ELFNOTE_LOADER), C(XEN_ELFNOTE_PAE_MODE), C(XEN_ELFNOTE_FEATURES),
    C(XEN_ELFNOTE_BSD_SYMTAB), C(XEN_ELFNOTE_HV_START_LOW), C(XEN_ELFNOTE_L1_MFN_VALID),
    C(XEN_ELFNOTE_SUSPEND_CANCEL), C(XEN_ELFNOTE_INIT_P2M), C(XEN_ELFNOTE_MOD_START_PFN),
    C(XEN_ELFNOTE_SUPPORTED_FEATURES), C(XEN_ELFNOTE_PHYS32_ENTRY),
    Z(xen_platform_op), F(xen_platform_op, interface_version), F(xen_platform_op, u),
    Z(xenpf_settime32), F(xenpf_settime32, nsecs), F(xenpf_settime32, system_time),
    Z(xenpf_settime64), F(xenpf_settime64, nsecs), F(xenpf_settime64, mbz), F(xenpf_settime64, system_time),
    F(xenpf_firmware_info, index), F(xenpf_firmware_info, u),
    Z(xenpf_enter_acpi_sleep), F(xenpf_enter_acpi_sleep, val_b), F(xenpf_enter_acpi_sleep, sleep_state),
    F(xenpf_enter_acpi_sleep, flags), Z(xenpf_pcpuinfo), F(xenpf_pcpuinfo, max_present),
    F(xenpf_pcpuinfo, flags), F(xenpf_pcpuinfo, apic_id), F(xenpf_pcpuinfo, acpi_id),
    C(XENPF_INTERFACE_VERSION), C(XENPF_settime32), C(XENPF_settime64), C(XENPF_firmware_info),
    C(XENPF_enter_acpi_sleep), C(XENPF_set_processor_pminfo), C(XENPF_get_cpuinfo), C(XEN_FW_DISK_INFO),
    C(XEN_FW_DISK_MBR_SIGNATURE), C(XEN_FW_VBEDDC_INFO), C(XEN_FW_EFI_INFO), C(XEN_FW_KBD_SHIFT_FLAGS),
    C(XEN_PCPU_FLAGS_ONLINE), C(XEN_PCPU_FLAGS_INVALID), C(XENPF_ACPI_SLEEP_EXTENDED),
};
const size_t kXenAbiCount = sizeof(kXenAbi) / sizeof(kXenAbi[0]);

TEST(AbiLayout, EveryEntryMatchesXensHeaders)
{
    ASSERT_EQ(kOurAbiCount, kXenAbiCount);
    for (size_t i = 0; i < kOurAbiCount; ++i) {
        ASSERT_STREQ(kOurAbi[i].name, kXenAbi[i].name);
        EXPECT_EQ(kOurAbi[i].value, kXenAbi[i].value) << kOurAbi[i].name;
    }
}
