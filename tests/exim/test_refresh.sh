#!/usr/bin/env bash
# test_refresh.sh -- the TUI's refresh equals a fresh scan after every
# change real Exim 4.96 makes.
#
# tests/tools/refreshcheck keeps what the TUI keeps across refreshes (the
# snapshot, its diagnosis, the inotify watch, the main log's sums and
# read position) and, at each "step", refreshes (load_live_scan(): only
# what changed is read) and then scans everything afresh (every -H, the
# whole main log, every msglog): every field of every message and
# recipient, every recipient's state, class and last error, and every
# per-domain figure must agree.  Between steps, a seeded random sequence
# of what Exim does to a backup MX's queue: new messages, forced queue
# runs (deliveries to a primary that accepts, deferrals to one that is
# offline: -H rewritten, msglogs and the main log growing), freezes and
# thaws, deletions, -Mmd, one delivery of one message, and a delivery
# caught in the middle (one recipient delivered, -J written, the -D
# locked, the other recipient's primary stalling).  Flat and split.
# Needs root (the sandbox), exim4.  About 60 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 timeout
. "$here/sandbox.sh"
[ -x "$TOOLS/refreshcheck" ] || { echo "no $TOOLS/refreshcheck: make tools"; exit 77; }

ids() { sb_exim -bp | awk '/^ *[0-9]+[mhd] /{ print $3 }'; }

# A random queued id (empty if none).
any_id() {
	local a
	mapfile -t a < <(ids)
	[ "${#a[@]}" -gt 0 ] && echo "${a[$((RANDOM % ${#a[@]}))]}"
}

step() {
	local line
	echo step >&"$RCW"
	if IFS= read -r -t 120 line <&"$RCR"; then
		case $line in
		ok*) ok "$tag: $1 ($line)" ;;
		*) bad "$tag: $1: $line" ;;
		esac
	else
		bad "$tag: $1: refreshcheck did not answer"
	fi
}

run() {
	tag=$1
	SB_TIMEOUT=3s
	if [ "$tag" = split ]; then sb_start --split; else sb_start; fi
	sb_primary acc.example accept
	sb_primary off.example offline
	sb_primary slow.example stall
	sb_send_n 8 -f 'news%n@partners.example' 'u%n@off.example' > /dev/null
	sb_send_n 6 -f 'orders@vendor.example' 'a%n@acc.example' \
	    'b%n@off.example' 'C%n@Off.Example' > /dev/null
	sb_send -f '' 'postmaster@off.example' > /dev/null
	# Fifos, not a coproc: sb_send runs one of its own.
	mkfifo "$SB_DIR/rc.in" "$SB_DIR/rc.out"
	"$TOOLS/refreshcheck" -t 2 -l "$SB_LOG" "$SB_SPOOL" \
	    < "$SB_DIR/rc.in" > "$SB_DIR/rc.out" 2>&1 &
	RCPID=$!
	exec {RCW}> "$SB_DIR/rc.in" {RCR}< "$SB_DIR/rc.out"
	step "first scan"
	RANDOM=$2
	local i id pid a
	for i in $(seq 14); do
		case $((RANDOM % 8)) in
		0)	sb_send -f "new$i@partners.example" "n$i@off.example" \
			    "m$i@acc.example" > /dev/null
			step "a new message" ;;
		1)	sb_queue_run -f > /dev/null 2>&1
			step "a forced queue run" ;;
		2)	id=$(any_id); [ -n "$id" ] && sb_exim -Mf "$id" > /dev/null
			step "frozen $id" ;;
		3)	id=$(any_id); [ -n "$id" ] && sb_exim -Mt "$id" > /dev/null
			step "thawed $id" ;;
		4)	id=$(any_id); [ -n "$id" ] && sb_exim -Mrm "$id" > /dev/null
			step "deleted $id" ;;
		5)	id=$(any_id)
			a=$(sb_exim -bp | awk -v id="$id" '$3 == id { f = 1; next }
			    f && NF == 1 { print $1; exit }')
			[ -n "$a" ] && sb_exim -Mmd "$id" "$a" > /dev/null
			step "-Mmd $id $a" ;;
		6)	id=$(sb_send -f "mid$i@partners.example" "y$i@slow.example" \
			    "x$i@acc.example")
			# One delivery: acc's recipient goes (-J), slow's
			# primary stalls; the -D stays locked meanwhile.
			sb_exim -M "$id" > /dev/null 2>&1 &
			pid=$!
			for a in $(seq 40); do
				sleep 0.1
				[ -s "$SB_SPOOL/input/$id-J" ] ||
				    [ -s "$SB_SPOOL/input/${id:5:1}/$id-J" ] && break
			done
			sleep 0.3
			if [ -n "$(find "$SB_SPOOL/input" -name "$id-J")" ]; then
				step "mid-delivery of $id (-J, lock)"
			else
				bad "$tag: no -J for $id mid-delivery"
			fi
			wait "$pid"
			step "after the delivery of $id" ;;
		7)	id=$(any_id); [ -n "$id" ] && sb_exim -M "$id" > /dev/null 2>&1
			step "one delivery of $id" ;;
		esac
	done
	echo quit >&"$RCW"
	wait "$RCPID" 2> /dev/null
	exec {RCW}>&- {RCR}<&-
	# Without a main log: the first pass reads every msglog once, for
	# the window's sums and each recipient's last attempt alike; after
	# a queue run and a second (ten times a pass of a few ms: due
	# again), the second pass too.
	"$TOOLS/refreshcheck" -t 2 "$SB_SPOOL" < "$SB_DIR/rc.in" \
	    > "$SB_DIR/rc.out" 2>&1 &
	RCPID=$!
	exec {RCW}> "$SB_DIR/rc.in" {RCR}< "$SB_DIR/rc.out"
	step "no main log: every msglog"
	sb_queue_run -f > /dev/null 2>&1
	sleep 1
	step "no main log: after a queue run"
	echo quit >&"$RCW"
	wait "$RCPID" 2> /dev/null
	exec {RCW}>&- {RCR}<&-
	sb_stop
}

run flat 4711
run split 1174
t_done
