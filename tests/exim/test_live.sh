#!/usr/bin/env bash
# test_live.sh -- mxtop on a live spool, while Exim works underneath.
#
# A sandbox Exim daemon (-bdf on a loopback port) receives 360 messages
# over SMTP (callouts to the fake primaries included); queue runners
# (exim -q, in a loop) deliver them to an accepting primary, or defer
# them for a domain whose primary is offline.  All the while mxtop list
# and mxtop summary (--format json) run in a loop against the spool, and
# the TUI (-d 1) runs in tmux.  Exim's view is the oracle:
#   - every mxtop run exits 0 with valid JSON, and no id is listed twice
#     in one listing;
#   - no message mxtop flagged bad during the run is listed as fine by
#     exim -bp afterwards;
#   - at the end (Exim at rest) mxtop shows exactly the messages exim -bp
#     shows, none flagged;
#   - the TUI is still running at the end and quits with status 0.
# Needs root (the sandbox), exim4, python3, tmux.  About 40 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout tmux
. "$here/sandbox.sh"

T="tmux -L mxtl$$ -f /dev/null"
sb_start
trap '$T kill-server 2> /dev/null; rm -f "$SB_DIR/running"; sb_stop' EXIT
sb_primary lucerne.example accept
sb_primary contoso.example accept
sb_primary northwind.example offline
PORT=$((SB_PORT + 1))		# the daemon's port (relay.conf.in)
: > "$SB_DIR/running"

# The daemon, bounded by timeout; stopped by its pid (timeout's, which
# passes the signal on).
timeout 300 "$EXIM" -C "$SB_CONF" -bdf > "$SB_DIR/daemon.out" 2>&1 &
daemon=$!
for i in $(seq 100); do
	(exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null && break
	sleep 0.1
done
if (exec 3<> "/dev/tcp/127.0.0.1/$PORT") 2> /dev/null; then
	ok "Exim daemon listening on 127.0.0.1:$PORT"
else
	bad "no Exim daemon on 127.0.0.1:$PORT"; cat "$SB_DIR/daemon.out"
	t_done; exit
fi

# Queue runners, one after another, for as long as the test runs.
(
	while [ -e "$SB_DIR/running" ]; do
		SB_EXIM_TIMEOUT=120 sb_exim -q > /dev/null 2>&1
		sleep 0.2
	done
) &
runners=$!

# mxtop in a loop: list and summary, every run checked.
python3 - "$MXTOP" "$SB_SPOOL" "$SB_DIR/running" > "$SB_DIR/loop.out" \
    2>&1 <<'PY' &
import json, os, subprocess, sys, time
mxtop, spool, flag = sys.argv[1:4]
runs = fails = dups = 0
bad = {}
while os.path.exists(flag):
    for cmd in ("list", "summary"):
        r = subprocess.run(["timeout", "60", mxtop, "-s", spool, cmd,
                            "--format", "json"], capture_output=True)
        runs += 1
        try:
            j = json.loads(r.stdout)
        except ValueError as e:
            j = None
        if r.returncode != 0 or j is None:
            fails += 1
            print("FAILRUN %s rc=%d %s" % (cmd, r.returncode,
                                         r.stderr[-200:].decode("latin-1")))
            continue
        if cmd == "list":
            ids = [m["id"] for m in j]
            if len(ids) != len(set(ids)):
                dups += 1
                print("DUP %s" % sorted(i for i in set(ids)
                                       if ids.count(i) > 1)[:5])
            for m in j:
                if m["bad"] is not None:
                    bad.setdefault(m["id"], m["bad"])
    time.sleep(0.05)
print("RUNS %d %d %d" % (runs, fails, dups))
for i, why in bad.items():
    print("BAD %s %s" % (i, why))
PY
loop=$!

$T new-session -d -x 100 -y 30 "env TERM=tmux-256color LANG=C.UTF-8 \
    $MXTOP -s $SB_SPOOL -d 1; echo MXTOP-EXITED \$?; sleep 60"

# 360 messages over SMTP, some for two domains, a sixth for the offline
# one; three clients at once.
t0=$(date +%s.%N)
python3 - "$PORT" <<'PY' > "$SB_DIR/send.out" 2>&1
import smtplib, sys, threading
port = int(sys.argv[1])
sent = [0]
lock = threading.Lock()
def client(k):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="mail.partners.example",
                     timeout=60)
    for n in range(k, 360, 3):
        if n % 6 == 0:
            rcpts = ["user%d@northwind.example" % n]
        elif n % 4 == 0:
            rcpts = ["user%d@lucerne.example" % n, "a%d@contoso.example" % n]
        else:
            rcpts = ["user%d@%s" % (n, ("lucerne.example", "contoso.example")
                                    [n % 2])]
        msg = ("From: news%d@partners.example\r\nTo: %s\r\n"
               "Subject: live %d\r\nMessage-ID: <live-%d@partners.example>"
               "\r\n\r\nBody %d.\r\n" % (n, ", ".join(rcpts), n, n, n))
        s.sendmail("news%d@partners.example" % n, rcpts, msg)
        with lock:
            sent[0] += 1
        if n % 60 == k:
            s.quit()
            s = smtplib.SMTP("127.0.0.1", port,
                             local_hostname="mail.partners.example",
                             timeout=60)
    s.quit()
ts = [threading.Thread(target=client, args=(k,)) for k in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("SENT %d" % sent[0])
PY
t1=$(date +%s.%N)
nsent=$(sed -n 's/^SENT //p' "$SB_DIR/send.out")
if [ "$nsent" = 360 ]; then
	ok "360 messages received by the daemon in $(t_elapsed "$t0" "$t1")s"
else
	bad "sent ${nsent:-none} of 360"; tail -5 "$SB_DIR/send.out" |
	    sed 's/^/# /'
fi
# Until only northwind's (offline) are left, at most 60 s.
for i in $(seq 300); do
	left=$(sb_exim -bp |
	    grep -c -E '^ +[a-z].*@(lucerne|contoso)\.example$')
	[ "$left" = 0 ] && break
	sleep 0.2
done
[ "$left" = 0 ] && ok "queue runners delivered every lucerne and contoso" \
    "recipient" || bad "$left lucerne/contoso recipients still queued"
ndel=$(cat "$SB_MAIL"/lucerne.example/*.eml "$SB_MAIL"/contoso.example/*.eml \
    2> /dev/null | grep -i '^Message-ID: <live-' | sort -u | wc -l)
[ "$ndel" = 300 ] && ok "the primaries received 300 messages" ||
    bad "the primaries received $ndel messages, not 300"

# The TUI lived through it.
if $T capture-pane -p | grep -q DOMAIN &&
    ! $T capture-pane -p | grep -q MXTOP-EXITED; then
	ok "the TUI (-d 1) is still running"
else
	bad "the TUI is gone"; $T capture-pane -p | sed 's/^/| /'
fi
$T send-keys q
for i in $(seq 50); do
	$T capture-pane -p | grep -q MXTOP-EXITED && break
	sleep 0.1
done
$T capture-pane -p | grep -q "MXTOP-EXITED 0" && ok "the TUI quit with 0" ||
    { bad "the TUI did not quit with 0"; $T capture-pane -p | tail -3; }

# Stop the runners and the mxtop loop; Exim at rest.
rm -f "$SB_DIR/running"
wait "$loop"
wait "$runners"
kill "$daemon" 2> /dev/null
wait "$daemon" 2> /dev/null
read -r _ runs fails dups < <(grep '^RUNS ' "$SB_DIR/loop.out")
if [ -n "$runs" ] && [ "$runs" -ge 20 ] && [ "$fails" = 0 ]; then
	ok "$runs mxtop runs on the live spool: all exit 0 with valid JSON"
else
	bad "mxtop runs: ${runs:-none}, failed ${fails:-?}"
	grep FAILRUN "$SB_DIR/loop.out" | head -5 | sed 's/^/# /'
fi
[ "$dups" = 0 ] && ok "no id listed twice in one listing" ||
    { bad "$dups listings with an id twice"; grep DUP "$SB_DIR/loop.out" |
    head -3 | sed 's/^/# /'; }
sb_exim -bp > "$SB_DIR/bp"
"$MXTOP" -s "$SB_SPOOL" list --format json > "$SB_DIR/final.json"
python3 - "$SB_DIR/bp" "$SB_DIR/final.json" "$SB_DIR/loop.out" \
    > "$SB_DIR/final.out" 2>&1 <<'PY'
import json, re, sys
bp = open(sys.argv[1], encoding="latin-1").read()
fine, broken = set(), set()
for block in bp.split("\n\n"):
    m = re.match(r"^\s*\d+[mhd]\s+\S*\s+(\S+?)(?:-H)?(?:\s|$)", block)
    if m:
        (broken if "*** spool" in block else fine).add(m.group(1))
mx = json.load(open(sys.argv[2]))
ids = {m["id"] for m in mx}
flagged = {m["id"] for m in mx if m["bad"] is not None}
print("%s at rest: exim -bp lists %d, mxtop %d (%d only in exim, %d only "
      "in mxtop, %d flagged)" % (
          "OK" if ids == fine | broken and not flagged and fine else "BAD",
          len(fine | broken), len(ids), len((fine | broken) - ids),
          len(ids - fine - broken), len(flagged)))
was = [l.split(None, 2)[1:] for l in open(sys.argv[3])
       if l.startswith("BAD ")]
wrong = [(i, w) for i, w in was if i in fine]
print("%s flagged during the run and fine in exim -bp now: %d of %d %s" % (
      "OK" if not wrong else "BAD", len(wrong), len(was), wrong[:3]))
PY
while IFS= read -r l; do
	case $l in
	"OK "*) ok "${l#OK }" ;;
	*) bad "${l#BAD }" ;;
	esac
done < "$SB_DIR/final.out"

sb_stop
t_done
