# dom0 runs `reboot`: Linux asks the hypervisor for SCHEDOP_shutdown with
# reason reboot, and the hypervisor resets the machine (Vireo), or says it
# would (Xen under noreboot). Reaching the end is a failure.
echo "dom0-reboot: rebooting the machine"
sync
reboot -f
sleep 10
echo "dom0-reboot: still running after reboot -f"
exit 1
