# Linux as dom0: what basic.sh checks, then the balloon driver gives 64 MiB
# back to the hypervisor and takes it again. A plain sequence of steps:
# each prints its figures and any failure ends the script (set -e).
set -e
sh /tests/basic.sh

# Balloon: lower the target by 64 MiB, wait until the driver has given the
# pages back (decrease_reservation), raise it again and wait until it has
# them back (populate_physmap). The sysfs files count KiB.
balloon=/sys/devices/system/xen_memory/xen_memory0
step_kb=65536
mem_total_kb() { sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo; }
current_kb() { cat $balloon/info/current_kb; }
# wait_current KB: up to 60 s for the driver to reach KB.
wait_current() {
    n=0
    while [ "$(current_kb)" -ne "$1" ]; do
        n=$((n + 1))
        if [ $n -gt 600 ]; then
            echo "balloon: stuck at $(current_kb) kB, target $1 kB"
            return 1
        fi
        sleep 0.1
    done
}
start_kb=$(current_kb)
start_total=$(mem_total_kb)
echo "balloon: target $(cat $balloon/target_kb) kB, current $start_kb kB, MemTotal $start_total kB"
echo $((start_kb - step_kb)) > $balloon/target_kb
wait_current $((start_kb - step_kb))
echo "balloon down: current $((start_kb - $(current_kb))) kB less, MemTotal $((start_total - $(mem_total_kb))) kB less"
echo $start_kb > $balloon/target_kb
wait_current $start_kb
echo "balloon up: current back to start $([ "$(current_kb)" -eq "$start_kb" ] && echo yes || echo no)," \
    "MemTotal back to start $([ "$(mem_total_kb)" -eq "$start_total" ] && echo yes || echo no)"
