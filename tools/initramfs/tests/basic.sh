# Linux as a Vireo domU: identity, CPUs, memory, processes, then poweroff.
set -e
echo "uname: $(uname -s -r -m)"
echo "cpus: $(nproc)"
grep -E '^(MemTotal|MemFree):' /proc/meminfo
grep -q 'Xen' /sys/hypervisor/type 2>/dev/null && echo "hypervisor: $(cat /sys/hypervisor/type)" || true
# fork/exec loop
i=0
while [ $i -lt 200 ]; do /bin/true; i=$((i + 1)); done
echo "fork-exec: $i done"
# memory pressure: fill and checksum a tmpfs file
dd if=/dev/zero of=/tmp/fill bs=1M count=16 2>/dev/null
echo "fill: $(md5sum < /tmp/fill | cut -c1-32)"
rm /tmp/fill
