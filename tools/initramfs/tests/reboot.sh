# A domU that reboots once: the first boot runs `reboot -f`; Vireo takes the
# domain apart and builds it again with vireo_restart=1 on its command line,
# and the second boot runs the basic test and powers off.
restart=$(sed -n 's/.*vireo_restart=\([0-9]*\).*/\1/p' /proc/cmdline)
if [ -z "$restart" ]; then
    echo "first boot: rebooting"
    sync
    reboot -f
    sleep 10
fi
echo "boot after restart $restart"
sh /tests/basic.sh
