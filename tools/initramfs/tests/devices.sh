# dom0 drives the machine's devices with Linux's own drivers: the virtio
# disk (an ext4 image made by tools/mkdisk.sh) is mounted, checked, written
# and read back after a remount; the virtio NIC gets an address from QEMU's
# user network by DHCP. Interrupts arrive as event channels (pirqs).
set -e
# /init loaded the modules.
loaded=0
for m in $(cat /lib/modules/load-order); do
    [ -d "/sys/module/$m" ] && loaded=$((loaded + 1))
done
echo "modules: $loaded of $(wc -l < /lib/modules/load-order) loaded"
wait_for() {
    i=0
    while [ ! -e "$1" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    [ -e "$1" ]
}
wait_for /dev/vda
mkdir -p /mnt
mount -t ext4 /dev/vda /mnt
echo "disk: $(grep ' /mnt ' /proc/mounts | cut -d' ' -f1-3)"
(cd /mnt && md5sum -c expected.md5 | sed 's/^/disk read: /')
dd if=/dev/urandom of=/mnt/written bs=64k count=32 2>/dev/null
md5sum /mnt/written > /tmp/written.md5
umount /mnt
echo 3 > /proc/sys/vm/drop_caches
mount -t ext4 /dev/vda /mnt
md5sum -c /tmp/written.md5 | sed 's/^/disk after remount: /'
rm /mnt/written
umount /mnt
wait_for /sys/class/net/eth0
ip link set eth0 up
udhcpc -i eth0 -n -q -t 10 -s /etc/udhcpc.script
echo "net: $(ip -4 addr show eth0 | sed -n 's/.*inet \([0-9./]*\).*/\1/p')"
ping -c 2 -W 3 10.0.2.2 | grep -E 'packets transmitted' | sed 's/^/net: /'
sleep 1
grep -E 'virtio|pirq|xen-pirq' /proc/interrupts | sed 's/^ */interrupts: /' || true
