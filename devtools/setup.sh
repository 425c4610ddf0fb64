#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# One-time (idempotent) set-up of a machine for dpdk-extmem:
#  - installs the Debian packages the project needs, when missing;
#  - fetches the DPDK driver SDK headers matching the installed DPDK;
#  - reserves 2M (and, if possible, 1G) hugepages and mounts hugetlbfs
#    when running as root and the kernel allows it.
# Rerunning it changes nothing and says that everything is already there.
#
# Environment: EXTMEM_HUGEPAGES_2M (default 1024), EXTMEM_HUGEPAGES_1G
# (default 2), EXTMEM_NO_HUGEPAGES=1 to leave hugepages alone.

set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
say() { printf 'setup: %s\n' "$*"; }

PKGS="dpdk dpdk-dev libdpdk-dev meson ninja-build libnuma-dev
python3-pyelftools pkg-config gcc libc6-dev dpkg-dev xz-utils
python3-sphinx doxygen python3-matplotlib"

missing=
for p in $PKGS; do
	if ! dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
if [ -z "$missing" ]; then
	say "all packages already installed"
else
	if [ "$(id -u)" -ne 0 ]; then
		say "missing packages:$missing (run as root to install them)"
		exit 1
	fi
	say "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
fi

# Driver SDK headers: downloaded once (Debian's source package of the
# installed DPDK) and extracted into the cache, where `meson setup` finds
# them; meson itself never downloads.
if ! "$top/devtools/fetch-sdk-headers.sh" 2>&1; then
	say "the DPDK driver SDK headers could not be fetched: give meson a" \
		"directory holding them with -Ddpdk_sdk_dir=<dir>"
	exit 1
fi

if [ "${EXTMEM_NO_HUGEPAGES:-0}" = 1 ]; then
	say "hugepages left alone (EXTMEM_NO_HUGEPAGES=1)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	say "not root: hugepages not reserved; tests will run --no-huge only"
	exit 0
fi

reserve() { # <size dir> <wanted>
	d=/sys/kernel/mm/hugepages/$1
	if [ ! -d "$d" ]; then
		say "kernel has no $1 pool"
		return 0
	fi
	cur=$(cat "$d/nr_hugepages")
	if [ "$cur" -ge "$2" ]; then
		say "$1: $cur pages already reserved"
		return 0
	fi
	if ! echo "$2" > "$d/nr_hugepages" 2>/dev/null; then
		say "$1: kernel refused to reserve $2 pages"
		return 0
	fi
	got=$(cat "$d/nr_hugepages")
	say "$1: reserved $got pages (asked $2)"
}
reserve hugepages-2048kB "${EXTMEM_HUGEPAGES_2M:-1024}"
reserve hugepages-1048576kB "${EXTMEM_HUGEPAGES_1G:-2}"

if grep -qs ' /dev/hugepages hugetlbfs ' /proc/mounts; then
	say "hugetlbfs already mounted on /dev/hugepages"
else
	mkdir -p /dev/hugepages
	if mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null; then
		say "mounted hugetlbfs on /dev/hugepages"
	else
		say "cannot mount hugetlbfs; hugepage tests will be skipped"
	fi
fi
