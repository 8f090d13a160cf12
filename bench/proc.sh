# SPDX-License-Identifier: GPL-2.0-or-later
# What the benchmarks read of a process, sourced by footprint.sh, mqtt.sh
# and web.sh (bench/README.md says how each figure is taken). Needs
# $pacectl for wait_ready.

field() {	# field NAME PID: a kB or count line of /proc/PID/status
	sed -n "s/^$1:[[:space:]]*\([0-9]*\).*/\1/p" "/proc/$2/status"
}
switches() {	# every time the process blocked and was woken, or was preempted
	echo $(($(field voluntary_ctxt_switches "$1") + \
		$(field nonvoluntary_ctxt_switches "$1")))
}
wait_ready() {	# SOCKET: until the control socket answers
	i=0
	until "$pacectl" --socket "$1" status >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -gt 2000 ] && { echo "never ready" >&2; exit 1; }
		sleep 0.002
	done
}
