#!/usr/bin/env bash
# test_cloexec.sh -- no descriptor of mxtop leaks into the Exim processes
# it starts.  A stand-in for exim (python3: its own descriptors are never
# inheritable) records every inheritable descriptor it was born with and
# answers as Exim would (-bP, -Mf, -M); mxtop runs on a copy of the sample
# spool with nothing but 0, 1 and 2 open, so whatever else the stand-in
# sees came from mxtop.  The CLI (freeze, flush) and the TUI in tmux (the
# scan pipe, the body file of B, then F on a message) are both checked,
# and strace shows every descriptor mxtop creates close-on-exec from
# birth.  No Exim needed; exit 77 without tmux, python3 or strace.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need python3 tmux strace

TMP=$(mktemp -d /tmp/mxtop-cloexec.XXXXXX)
T="tmux -L mxtc$$ -f /dev/null"
trap '$T kill-server 2> /dev/null; rm -rf "$TMP"' EXIT
cp -a "$SAMPLE" "$TMP/spool"
NOW=$(cat "$SAMPLE/now")
REC=$TMP/fds.log

# The stand-in: one line per run, "argv | fd:target fd:target ...".
cat > "$TMP/exim" <<EOF
#!/usr/bin/python3
import os, sys
fds = []
for n in sorted(int(x) for x in os.listdir("/proc/self/fd")):
    try:
        if not os.get_inheritable(n):
            continue	# our own (Python opens nothing inheritable)
        fds.append("%d:%s" % (n, os.readlink("/proc/self/fd/%d" % n)))
    except OSError:
        pass		# the listing's own descriptor, closed meanwhile
with open("$REC", "a") as f:
    f.write(" ".join(sys.argv[1:]) + " | " + " ".join(fds) + "\n")
a = sys.argv[1:]
if a[:1] == ["-bP"]:
    v = {"spool_directory": "$TMP/spool", "log_file_path": ""}
    if a[1] not in v:
        sys.exit(1)
    print("%s = %s" % (a[1], v[a[1]]))
elif a[:1] == ["-Mf"]:
    for i in a[1:]:
        print("Message %s is now frozen" % i)
elif a[:1] == ["-Mt"]:
    for i in a[1:]:
        print("Message %s is no longer frozen" % i)
elif "-M" in a:
    pass		# a delivery: Exim says nothing
else:
    sys.exit(1)
EOF
chmod 755 "$TMP/exim"

# Runs a command with every descriptor above 2 closed (the test harness,
# make's jobserver and the like may hand some down to us).
cat > "$TMP/clean" <<'EOF'
#!/bin/bash
for f in /proc/$$/fd/*; do
	n=${f##*/}
	[ "$n" -gt 2 ] && [ "$n" != 255 ] && eval "exec $n>&-"
done 2> /dev/null
exec "$@"
EOF
chmod 755 "$TMP/clean"

# Checks the records since line $1: at least one run, each with exactly
# 0, 1 and 2 inherited.
check_fds() {	# from-line what
	local runs leaks
	runs=$(tail -n +"$1" "$REC" 2> /dev/null | grep -c .)
	leaks=$(tail -n +"$1" "$REC" 2> /dev/null |
	    grep -v -E '\| 0:[^ ]+ 1:[^ ]+ 2:[^ ]+$')
	if [ "$runs" -gt 0 ] && [ -z "$leaks" ]; then
		ok "$2: $runs exim runs, each with only fds 0, 1, 2"
	else
		bad "$2: $runs runs, leaks:"; echo "$leaks" | sed 's/^/# /'
	fi
}
nrec() { echo $(( $(cat "$REC" 2> /dev/null | wc -l) + 1 )); }

mx() {
	"$TMP/clean" "$MXTOP" -s "$TMP/spool" --now "$NOW" --exim "$TMP/exim" \
	    --audit "$TMP/audit.log" "$@"
}
# Two messages with a pending recipient, not frozen.
set -- $("$MXTOP" -s "$TMP/spool" --now "$NOW" list --format json |
    python3 -c '
import json, sys
ids = [m["id"] for m in json.load(sys.stdin) if not m["frozen"] and
       m["bad"] is None and any(r["state"] == "pending"
                                for r in m["recipients"])]
print(" ".join(ids[:3]))')
[ $# = 3 ] || { bad "no messages to act on in $SAMPLE"; t_done; exit; }

# ---- The commands. ----
from=$(nrec)
mx freeze --id "$1" --yes > "$TMP/out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -q "$1 .*done" "$TMP/out" &&
    grep -q -- "^-Mf $1 |" "$REC"; then
	ok "freeze ran the stand-in and read its answer"
else
	bad "freeze: rc=$rc"; sed 's/^/# /' "$TMP/out"
fi
check_fds "$from" "freeze"
from=$(nrec)
mx flush --id "$2" --yes --rate 5/s > "$TMP/out" 2>&1
rc=$?
if grep -q -- "-M $2 |" "$REC" && grep -q "$2" "$TMP/out"; then
	ok "flush ran the stand-in (rc=$rc)"
else
	bad "flush: rc=$rc"; sed 's/^/# /' "$TMP/out"
fi
check_fds "$from" "flush"
# Ids from a file: the file is open while exim runs.
printf '%s\n' "$3" > "$TMP/ids"
from=$(nrec)
mx freeze --ids-from "$TMP/ids" --yes > "$TMP/out" 2>&1
grep -q -- "^-Mf $3 |" "$REC" && ok "freeze --ids-from ran" ||
    { bad "freeze --ids-from"; sed 's/^/# /' "$TMP/out"; }
check_fds "$from" "freeze --ids-from FILE"

# Every descriptor mxtop itself creates is close-on-exec from its first
# moment (threads run while Exim starts): strace -f, every open, pipe,
# dup, socket or accept of mxtop and its threads (not of the Exim children
# between their fork and exec) names O_CLOEXEC.  The C library's own
# reads of its data files (/usr/lib, /usr/share, /etc) are its business.
# Under a sanitizer build strace runs with LeakSanitizer off.
cloexec_calls() {	# strace log
	python3 - "$1" <<'PY'
import re, sys
lines = open(sys.argv[1], errors="replace").read().splitlines()
first = lines[0].split()[0] if lines else None
kids = {l.split()[0] for l in lines if " execve(" in l and
        l.split()[0] != first}
bad = []
n = 0
# The C library's data files; a sanitizer runtime's reads of /proc/self.
sysdir = re.compile(r'"/(usr/)?(lib|lib64|share)/|"/etc/|"/proc/self/')
pend = {}
for l in lines:
    pid, call = (l.split(None, 1) + [""])[:2]
    if pid in kids:
        continue
    # Threads interleave: "openat(... <unfinished ...>" then
    # "<... openat resumed>) = 5".
    if call.endswith("<unfinished ...>"):
        pend[pid] = call[:-len("<unfinished ...>")]
        continue
    r = re.match(r"<\.\.\. \w+ resumed>(.*)", call)
    if r:
        call = pend.pop(pid, "") + r.group(1)
    m = re.match(r"(\w+)\((.*)\)\s+= (-?\d+)", call)
    if not m or int(m.group(3)) < 0:
        continue
    name, args = m.group(1), m.group(2)
    if name in ("open", "openat", "creat"):
        if sysdir.search(args):
            continue
        ok = "O_CLOEXEC" in args
    elif name in ("pipe", "dup", "dup2", "accept"):
        ok = False
    elif name in ("pipe2", "dup3"):
        ok = "O_CLOEXEC" in args
    elif name in ("socket", "accept4", "socketpair"):
        ok = "SOCK_CLOEXEC" in args
    elif name == "fcntl":
        if "F_DUPFD" not in args:
            continue
        ok = "F_DUPFD_CLOEXEC" in args
    else:
        continue
    n += 1
    if not ok:
        bad.append(l)
print(n)
for b in bad:
    print(b)
PY
}
check_strace() {	# log what
	local out n
	out=$(cloexec_calls "$1")
	n=$(echo "$out" | head -1)
	if [ -n "$n" ] && [ "$n" -gt 0 ] && [ "$(echo "$out" | wc -l)" = 1 ]
	then
		ok "$2: all $n descriptors mxtop created are close-on-exec"
	else
		bad "$2: ${n:-no} descriptors traced, without O_CLOEXEC:"
		echo "$out" | tail -n +2 | sed 's/^/# /' | head
	fi
}
CALLS=execve,open,openat,creat,pipe,pipe2,dup,dup2,dup3,fcntl,socket
CALLS=$CALLS,socketpair,accept,accept4
st() {	# log command...
	local log=$1
	shift
	# (LeakSanitizer cannot run under ptrace.)
	ASAN_OPTIONS=detect_leaks=0 "$TMP/clean" strace -f -o "$log" \
	    -e trace=$CALLS "$@"
}
st "$TMP/st.exp" "$MXTOP" -s "$TMP/spool" --now "$NOW" export \
    -o "$TMP/x.tar.gz" > /dev/null 2>&1
check_strace "$TMP/st.exp" "export tar.gz (temporary files)"
st "$TMP/st.mbox" "$MXTOP" -s "$TMP/spool" --now "$NOW" export \
    --as mbox.gz -o "$TMP/x.mbox.gz" > /dev/null 2>&1
check_strace "$TMP/st.mbox" "export mbox.gz (gzip stream)"
# No -s: the spool comes from "exim -bP spool_directory".
st "$TMP/st.frz" "$MXTOP" --now "$NOW" --exim "$TMP/exim" \
    --audit "$TMP/audit.log" thaw --ids-from "$TMP/ids" --yes \
    > /dev/null 2>&1
if grep -q -- "^-bP spool_directory |" "$REC"; then
	ok "without -s, mxtop asked the stand-in for the spool"
else
	bad "no -bP spool_directory run"
fi
check_strace "$TMP/st.frz" "thaw --ids-from FILE, spool from -bP"

# ---- The TUI: scan pipe and threads running, a body read, then F. ----
wait_for() {	# pattern [seconds]
	local i
	for i in $(seq 1 $(( ${2:-10} * 10 ))); do
		$T capture-pane -p | grep -q -F -- "$1" && return 0
		sleep 0.1
	done
	bad "waiting for '$1'"; $T capture-pane -p | sed 's/^/| /'
	return 1
}
from=$(nrec)
$T new-session -d -x 100 -y 30 -c "$TMP" "env TERM=tmux-256color \
    LANG=C.UTF-8 ASAN_OPTIONS=detect_leaks=0 $TMP/clean \
    strace -f -o $TMP/st.tui -e trace=$CALLS \
    $MXTOP -s $TMP/spool --now $NOW \
    --exim $TMP/exim --audit $TMP/audit.log -d 60; echo MXTOP-EXITED \$?; \
    sleep 60"
# Keys only once the first scan is in (strace makes it slow); -d 60: no
# rescan meanwhile.
wait_for "DOMAIN"
wait_for "scanned " 30
$T send-keys / "id:$1" Enter
wait_for "filter id:$1"
$T send-keys Enter
wait_for "RECIPIENTS"
$T send-keys Enter
wait_for "Recipients ("
$T send-keys B
wait_for "Body of"
$T send-keys B
wait_for "Recipients ("
$T send-keys q
wait_for "RECIPIENTS"
$T send-keys F
wait_for "Freeze 1 message"
$T send-keys y
wait_for "freeze: 1 message in" 30
$T send-keys q q
wait_for "MXTOP-EXITED 0"
if grep -q -- "^-Mf $1 |" <(tail -n +"$from" "$REC"); then
	ok "TUI: F ran the stand-in"
else
	bad "TUI: no -Mf run recorded"
fi
check_fds "$from" "TUI (scan thread, B, F)"
check_strace "$TMP/st.tui" "TUI"

t_done
