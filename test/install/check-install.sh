#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# The installed files, used the way a user would after `meson install`
# with the default prefix, without touching this machine:
#  1. `meson install --destdir <stage>` (runtime and devel files);
#  2. in a private mount namespace (unshare -m), the staged directories
#     are laid over the real ones with read-only overlays (the library's
#     libdir, the driver's link in EAL's default driver directory) and a
#     dynamic linker cache rebuilt over them is bind-mounted on
#     /etc/ld.so.cache: what ldconfig does after a real install. Nothing
#     outside the namespace sees any of it;
#  3. in there, with no LD_LIBRARY_PATH and no -d: every example and a
#     program calling rte_pmd_mrnic_* are built with pkg-config from the
#     staged .pc files and run, the driver linked shared and statically;
#     stock dpdk-testpmd forwards packets between two net_mrnic ports that
#     EAL loaded from its default driver directory by itself; stock
#     dpdk-dumpcap (no EAL options) loads librte_extmem_plugin.so from
#     there, attaches to the installed dpdk-extmem-testpmd's memory and
#     captures 100 packets.
#
# usage: check-install.sh <build dir> <source dir> <EAL file prefix>
# Exit status: 0 pass, 1 fail, 77 skipped (no root or no overlayfs).

set -eu

say() { printf 'check-install: %s\n' "$*"; }
fail() { say "FAIL: $*"; exit 1; }

[ $# -eq 3 ] || { echo "usage: $0 <build dir> <source dir> <prefix>" >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
fprefix=$3

if [ -z "${EXTMEM_CHECK_INSTALL_NS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || { say "SKIP: needs root for unshare -m"; exit 77; }
	grep -qw overlay /proc/filesystems ||
		{ say "SKIP: no overlayfs in this kernel"; exit 77; }
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/extmem-install.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	if ! meson install -C "$build" --destdir "$tmp/stage" --no-rebuild \
			--tags runtime,devel >"$tmp/install.log" 2>&1; then
		cat "$tmp/install.log"
		fail "meson install --destdir"
	fi
	rc=0
	EXTMEM_CHECK_INSTALL_NS=$tmp unshare -m --propagation private \
		"$0" "$@" || rc=$?
	exit $rc
fi

# ---- inside the private mount namespace ----
tmp=$EXTMEM_CHECK_INSTALL_NS
stage=$tmp/stage
intro() { meson introspect --buildoptions "$build" | python3 -c \
	"import json,sys; print([o['value'] for o in json.load(sys.stdin) if o['name']=='$1'][0])"; }
prefix=$(intro prefix)
libdir=$prefix/$(intro libdir)
pcdir=$stage$libdir/pkgconfig
pmd_link=$(find "$stage" -name librte_net_mrnic.so -type l ! -path "$stage$libdir/*" | head -n 1)
[ -n "$pmd_link" ] || fail "no driver link installed outside $libdir"
pmd_dir=${pmd_link#"$stage"}
pmd_dir=${pmd_dir%/*}
eal_dir=$(PKG_CONFIG_PATH=$pcdir pkg-config --variable=eal_pmd_dir libdpdk-net-mrnic)
[ "$pmd_dir" = "$eal_dir" ] ||
	fail "driver installed in $pmd_dir, EAL loads from $eal_dir"
say "driver link: $pmd_dir/librte_net_mrnic.so -> $(readlink "$pmd_link")"

# Lay <stage><dir> over <dir> at its deepest existing ancestor.
overlay() {
	d=$1
	while [ ! -d "$d" ]; do d=${d%/*}; done
	mount -t overlay overlay -o "lowerdir=$stage$d:$d" "$d" ||
		{ say "SKIP: cannot mount an overlay on $d"; exit 77; }
	say "overlay of the staged files on $d (this namespace only)"
}
overlay "$libdir"
ldconfig -X -C "$tmp/ld.so.cache"
mount --bind "$tmp/ld.so.cache" /etc/ld.so.cache
ldconfig -p | grep -q "librte_extmem\.so\.0 .*=> $libdir/" ||
	fail "the linker cache does not name $libdir/librte_extmem.so.0"

unset LD_LIBRARY_PATH
PKG_CONFIG_PATH=$pcdir
export PKG_CONFIG_PATH
nohuge="--no-huge -m 256 --no-pci --log-level=lib.eal:error"

# build <name> <source> <pkg-config flags...>
build_app() {
	name=$1 file=$2
	shift 2
	say "cc $(basename "$file") $*"
	# shellcheck disable=SC2068
	cc -O2 -Wall -Werror -o "$tmp/$name" "$file" $@ 2>"$tmp/cc.log" ||
		{ cat "$tmp/cc.log"; fail "$name does not build from the installed files"; }
	ldd "$tmp/$name" | grep -q "librte_extmem.so.0 => $libdir/" ||
		fail "$name does not find librte_extmem in $libdir: $(ldd "$tmp/$name")"
}
run_app() {
	name=$1
	shift
	say "run $name $*"
	# shellcheck disable=SC2068
	"$tmp/$name" $@ >"$tmp/$name.log" 2>&1 ||
		{ cat "$tmp/$name.log"; fail "$name failed"; }
	tail -n 3 "$tmp/$name.log"
}

ext=$(pkg-config --cflags --libs libdpdk-extmem)
mrnic=$(pkg-config --cflags --libs libdpdk-net-mrnic)
build_app private "$src/examples/extmem_private/main.c" "$ext"
build_app heap "$src/examples/extmem_heap/main.c" "$ext"
build_app devbuf "$src/examples/extmem_devbuf/main.c" "$mrnic"
build_app mrnic_api "$src/test/install/mrnic_api_app.c" "$mrnic"
# the driver linked in whole, from its static archive
build_app mrnic_static "$src/test/install/mrnic_api_app.c" \
	"$(pkg-config --cflags libdpdk-net-mrnic)" \
	"$(pkg-config --variable=whole_archive_libs libdpdk-net-mrnic)" "$ext"
ldd "$tmp/mrnic_static" | grep -q librte_net_mrnic &&
	fail "mrnic_static loads librte_net_mrnic.so"

# devbuf only creates its ports with rte_vdev_init() (no rte_pmd_mrnic_*
# call): the plain pkg-config link must still load the driver, with
# --as-needed on (Debian's gcc default) and nothing in EAL's driver
# directory yet (the overlay of $pmd_dir comes after this run)
readelf -d "$tmp/devbuf" | grep -q "NEEDED.*librte_net_mrnic" ||
	fail "devbuf built with libdpdk-net-mrnic.pc does not link the driver"
[ -e "$pmd_dir/librte_net_mrnic.so" ] &&
	fail "$pmd_dir/librte_net_mrnic.so exists outside the stage"
run_app devbuf $nohuge --file-prefix="${fprefix}inst_devbuf_needed"
say "devbuf created its net_mrnic ports with the driver from its link only"
overlay "$pmd_dir"

run_app private $nohuge --file-prefix="${fprefix}inst_private"
run_app heap $nohuge --file-prefix="${fprefix}inst_heap"
run_app devbuf $nohuge --file-prefix="${fprefix}inst_devbuf"
run_app mrnic_api $nohuge --file-prefix="${fprefix}inst_api" \
	--vdev net_mrnic0,mr=extmem --vdev net_mrnic1,mr=extmem
grep -q "2 net_mrnic ports from --vdev" "$tmp/mrnic_api.log" ||
	fail "the --vdev ports were not net_mrnic ports"
run_app mrnic_api $nohuge --file-prefix="${fprefix}inst_api2"
run_app mrnic_static $nohuge --file-prefix="${fprefix}inst_static" \
	--vdev net_mrnic0,mr=extmem --vdev net_mrnic1,mr=extmem

# the same from the build tree: meson-uninstalled/*.pc (-L and -I of the
# build and source directories)
unin=$build/meson-uninstalled
say "cc extmem_devbuf/main.c (uninstalled .pc files in $unin)"
# shellcheck disable=SC2046
cc -O2 -Wall -Werror -o "$tmp/devbuf_unin" "$src/examples/extmem_devbuf/main.c" \
	$(PKG_CONFIG_PATH=$unin pkg-config --cflags --libs libdpdk-net-mrnic) \
	2>"$tmp/cc.log" || { cat "$tmp/cc.log"; fail "devbuf does not build from $unin"; }
say "run devbuf_unin"
LD_LIBRARY_PATH=$build/lib/extmem:$build/drivers/net/mrnic "$tmp/devbuf_unin" \
	$nohuge --file-prefix="${fprefix}inst_devbuf_unin" >"$tmp/devbuf_unin.log" 2>&1 ||
	{ cat "$tmp/devbuf_unin.log"; fail "devbuf_unin failed"; }
LD_LIBRARY_PATH=$build/lib/extmem:$build/drivers/net/mrnic ldd "$tmp/devbuf_unin" |
	grep -q "librte_net_mrnic.so.0 => $build/drivers/net/mrnic/" ||
	fail "devbuf_unin does not load the driver of $build"

# the EAL plugin sits next to the driver, where EAL loads it by itself
[ -f "$stage$pmd_dir/librte_extmem_plugin.so" ] ||
	fail "librte_extmem_plugin.so not installed in $pmd_dir"
say "plugin: $pmd_dir/librte_extmem_plugin.so"

# stock dpdk-dumpcap takes no EAL options: the plugin must come from the
# default directory. Against the installed app on 4K pages (xmem4k: a
# heap of private memory), the plugin in dumpcap attaches and refuses
# that heap by name (the proof it was loaded), and dumpcap captures.
# Secondaries need hugepages (a --no-huge primary has none in 22.11).
dumpcap=/usr/bin/dpdk-dumpcap
free2m=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages 2>/dev/null || echo 0)
etp=$stage$prefix/$(intro bindir)/dpdk-extmem-testpmd
if [ ! -x "$dumpcap" ] || [ "$free2m" -lt 256 ]; then
	say "SKIP (dumpcap part): no $dumpcap or fewer than 256 free 2M hugepages"
else
	# dumpcap_run <name> <port 0> <mode> <app options...>
	dumpcap_run() {
		dname=$1 dport=$2 dmode=$3
		shift 3
		dpfx="${fprefix}inst_dumpcap_$dname"
		# shellcheck disable=SC2068
		"$etp" -l 0-1 --no-pci --file-prefix="$dpfx" \
			--base-virtaddr=0x300000000000 --log-level=lib.eal:error \
			$@ -- --mp-alloc "$dmode" --duration 8 --stats-period 0.5 \
			$( [ "$dport" = net_mrnic0 ] && echo --tx-first ) \
			>"$tmp/etp_$dname.log" 2>&1 &
		etp_pid=$!
		i=0
		while ! grep -q "^---- " "$tmp/etp_$dname.log" && [ $i -lt 100 ]; do
			sleep 0.1; i=$((i + 1))
		done
		say "$dumpcap --file-prefix=$dpfx -i $dport -c 100 (no -d; $dmode)"
		timeout 60 "$dumpcap" --file-prefix="$dpfx" -i "$dport" -c 100 -q \
			-w "$tmp/capture.pcapng" >"$tmp/dumpcap.log" 2>&1 ||
			{ sleep 2; cat "$tmp/dumpcap.log" "$tmp/etp_$dname.log"; fail "dumpcap ($dname)"; }
		wait $etp_pid ||
			{ cat "$tmp/etp_$dname.log"; fail "the app did not exit cleanly ($dname)"; }
		rm -rf "/var/run/dpdk/$dpfx"
		n=$(python3 -c '
import struct, sys
d = open(sys.argv[1], "rb").read()
off = n = 0
while off + 8 <= len(d):
    t, l = struct.unpack_from("<II", d, off)
    n += t == 6
    off += l
print(n)' "$tmp/capture.pcapng")
		[ "$n" -ge 100 ] || fail "dumpcap wrote $n packets, expected 100 ($dname)"
		say "stock dpdk-dumpcap captured $n packets on $dport ($dmode)"
	}
	dumpcap_run null net_null0 xmem4k --vdev net_null0 --vdev net_null1
	grep -q "heap etp_xmem of the primary is refused" "$tmp/dumpcap.log" ||
		{ cat "$tmp/dumpcap.log"; fail "dumpcap did not load the plugin from $pmd_dir"; }
	say "dumpcap loaded the plugin by itself: it attached (and refused the private heap)"
	# net_mrnic ports: the driver comes from the default directory too
	dumpcap_run mrnic net_mrnic0 xmemshared --vdev net_mrnic0 --vdev net_mrnic1
fi

# stock dpdk-testpmd: no -d, the driver comes from EAL's default dir
testpmd=/usr/bin/dpdk-testpmd
[ -x "$testpmd" ] || { say "SKIP (testpmd part): no $testpmd"; exit 0; }
say "$testpmd --vdev net_mrnic0 --vdev net_mrnic1 (no -d)"
# shellcheck disable=SC2086
(sleep 3; echo) | timeout 60 "$testpmd" -l 0-1 $nohuge \
	--file-prefix="${fprefix}inst_testpmd" \
	--vdev net_mrnic0 --vdev net_mrnic1 -- \
	--forward-mode=io --tx-first --total-num-mbufs=2048 \
	>"$tmp/testpmd.log" 2>&1 || { cat "$tmp/testpmd.log"; fail "testpmd"; }
rx=$(awk '/Accumulated forward statistics/ {s=1} s && /RX-packets:/ {print $2; exit}' "$tmp/testpmd.log")
[ -n "$rx" ] && [ "$rx" -gt 0 ] ||
	{ cat "$tmp/testpmd.log"; fail "testpmd forwarded no packet over net_mrnic"; }
say "stock dpdk-testpmd forwarded $rx packets over net_mrnic"
say "OK"
