# Vireo's Linux benchmark (bench/linux_bench.py): lmbench-style figures and
# two whole workloads, each printed as "bench: <name> <median> <unit> ...".
# Needs the bench initramfs (tools/mkinitramfs.sh OUT bench). Sizes can be
# set on the kernel command line:
#   bench_scale=P      percent of the micro-benchmarks' iteration counts (100)
#   bench_gzip_mib=N   MiB of text that gzip -1 compresses (256)
#   bench_files=N      files in the tree that is walked and checksummed (3000)
set -e
lm=/bin/lmbench_lite
[ -x $lm ] || { echo "bench: $lm missing: boot the bench initramfs (mkinitramfs.sh OUT bench)"; exit 1; }
arg() { echo " $(cat /proc/cmdline)" | sed -n "s/.*[[:space:]]$1=\([0-9][0-9]*\).*/\1/p" | grep . || echo "$2"; }
scale=$(arg bench_scale 100)
gzip_mib=$(arg bench_gzip_mib 256)
files=$(arg bench_files 3000)
# /tmp is a tmpfs limited to half the RAM: the workloads get their own.
mkdir -p /bench
mount -t tmpfs -o size=90% bench /bench
grep -E '^(MemTotal|MemFree):' /proc/meminfo
echo "bench: begin $($lm clock)"

# Micro-benchmarks (cd so that the mmap test's file is on tmpfs).
cd /tmp && $lm micro "$scale"

# gzip -1 of gzip_mib MiB of text, in tmpfs, to /dev/null.
$lm gendata /bench/data "$gzip_mib"
$lm time "gzip_${gzip_mib}M" 1 "gzip -1 -c /bench/data > /dev/null"
rm /bench/data

# A file-tree walk with checksums: find | xargs md5sum over small files.
$lm gentree /bench/tree "$files"
$lm time "tree_md5_${files}" 3 "find /bench/tree -type f | xargs md5sum > /dev/null"
rm -rf /bench/tree

echo "bench: end $($lm clock)"
umount /bench
