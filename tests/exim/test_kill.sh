#!/usr/bin/env bash
# test_kill.sh -- a flush killed mid-run loses nothing.
#
# 200 messages wait for a customer whose primary has come back.  mxtop
# flushes them paced (--rate 20/s, --parallel 4) and is killed with
# SIGKILL after a few seconds; the Exim processes it started finish on
# their own.  Then, with Exim's view as the oracle:
#   - every message is delivered (the fake primary's mailbox) or still
#     queued (exim -bp), never both, never neither;
#   - a message still queued has its -H unchanged (sha256), unless Exim
#     itself deferred it (a "==" line for it in the main log);
#   - the audit log holds whole lines only (ends in \n, every line has
#     every field), at most one per message, one per result mxtop
#     reported (the last may be lost with the kill), "done" only for
#     delivered messages, and every delivered message but those of the
#     Exim runs still going at the kill has its line;
#   - the next "flush --dry-run" plans exactly the messages left.
# Then the same during an --adaptive flush while the primary flaps
# (fakesmtp -m flap: accepts 2 s, answers 421 for 2 s, ...).
# Needs root (the sandbox), exim4, python3.  About 40 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout sha256sum
. "$here/sandbox.sh"

DOM=lucerne.example
sb_start
sb_primary $DOM offline
mx() {
	"$MXTOP" -s "$SB_SPOOL" --exim "$EXIM" --exim-config "$SB_CONF" "$@"
}
# 200 messages in one batched SMTP session (no ACLs: fast), never tried.
{
	for i in $(seq 200); do
		printf 'MAIL FROM:<news%d@partners.example>\n' "$i"
		printf 'RCPT TO:<user%d@%s>\nDATA\n' "$i" "$DOM"
		printf 'From: news%d@partners.example\nTo: user%d@%s\n' \
		    "$i" "$i" "$DOM"
		printf 'Subject: kill test %d\n' "$i"
		printf 'Message-ID: <kill-%d@partners.example>\n\n' "$i"
		printf 'Body of message %d.\n.\n' "$i"
	done
	echo QUIT
} | sb_exim -bS > /dev/null 2>&1
n=$(mx list --domain $DOM --format ids | wc -l)
[ "$n" = 200 ] && ok "200 messages queued for $DOM" ||
    { bad "$n messages queued, not 200"; t_done; exit; }

# Waits (at most 60 s) until no Exim process of the sandbox runs (one
# with "-C $SB_CONF" in its argv).
exims() {
	local f
	for f in /proc/[0-9]*/cmdline; do
		tr '\0' ' ' 2> /dev/null < "$f" |
		    grep -q -F -- "-C $SB_CONF " && return 0
	done
	return 1
}
wait_exims() {
	local i
	for i in $(seq 300); do
		exims || return 0
		sleep 0.2
	done
	return 1
}

# run TAG WHEN PARALLEL FLUSH-ARGS...: snapshot, flush in the background,
# kill -9 as soon as "WHEN results-file" is true (at most 30 s), let the
# exims finish, verify.
run() {
	local tag=$1 when=$2 par=$3 pid alive=0 i
	shift 3
	local d=$SB_DIR/$tag
	mkdir -p "$d"
	mx list --domain $DOM --format ids | sort > "$d/before.ids"
	(cd "$SB_SPOOL/input" && sha256sum -- *-H) > "$d/before.sums"
	for id in $(cat "$d/before.ids"); do
		printf '%s %s\n' "$id" "$(grep -a -o -i -m1 \
		    'Message-ID: <[^>]*>' "$SB_SPOOL/input/$id-H" |
		    sed 's/^[^<]*//')"
	done > "$d/msgids"
	wc -l < "$SB_SPOOL/log/mainlog" > "$d/log.from"
	# mxtop itself in the background (not a function: $! must be it).
	"$MXTOP" -s "$SB_SPOOL" --exim "$EXIM" --exim-config "$SB_CONF" \
	    --audit "$d/audit.log" flush --domain $DOM --yes --format json \
	    --parallel "$par" "$@" > "$d/out.json" 2> "$d/out.err" &
	pid=$!
	for i in $(seq 600); do
		"$when" "$d/out.json" && break
		kill -0 "$pid" 2> /dev/null || break
		sleep 0.05
	done
	if kill -9 "$pid" 2> /dev/null; then
		alive=1
	fi
	wait "$pid" 2> /dev/null
	if [ $alive = 1 ]; then
		ok "$tag: mxtop killed with SIGKILL mid-run, after" \
		    "$(grep -c . "$d/out.json") results"
	else
		bad "$tag: mxtop had ended before the kill"
		sed 's/^/# /' "$d/out.err" | tail -5
	fi
	wait_exims && ok "$tag: the Exim runs it started finished" ||
	    bad "$tag: Exim processes still running after 60 s"
	sb_exim -bp > "$d/bp"
	mx flush --domain $DOM --dry-run > "$d/dry" 2>&1
	tail -n +"$(($(cat "$d/log.from") + 1))" "$SB_SPOOL/log/mainlog" \
	    > "$d/mainlog"
	python3 - "$d" "$SB_SPOOL/input" "$SB_MAIL/$DOM" "$par" \
	    > "$d/verdicts" 2>&1 <<'PY'
import glob, hashlib, json, os, re, sys
d, inp, mail = sys.argv[1:4]
par = int(sys.argv[4])
def out(ok, msg):
    print(("OK " if ok else "BAD ") + msg)
before = open(d + "/before.ids").read().split()
sums = {}
for l in open(d + "/before.sums"):
    h, name = l.split()
    sums[name[:-2]] = h
mid = dict(l.split(None, 1) for l in open(d + "/msgids"))
mid = {k: v.strip() for k, v in mid.items()}
got = set()
for f in glob.glob(mail + "/*.eml"):
    m = re.search(rb"^Message-ID: (<[^>]*>)", open(f, "rb").read(),
                  re.M | re.I)
    if m:
        got.add(m.group(1).decode())
queued = set(re.findall(r"^\s*\d+[mhd]\s+\S+\s+(\S+?)(?:-H)?\s", open(
    d + "/bp").read(), re.M))
deferred = set(re.findall(r"^\S+ \S+ (\S+) == ", open(d + "/mainlog",
                                                      errors="replace").read(),
                          re.M))
delivered = {i for i in before if mid[i] in got}
lost = [i for i in before if i not in delivered and i not in queued]
both = [i for i in before if i in delivered and i in queued]
out(not lost and not both, "%d delivered + %d still queued = %d; lost %d, "
    "both %d" % (len(delivered), len(queued & set(before)), len(before),
                 len(lost), len(both)))
changed = []
for i in before:
    if i in queued and i not in deferred:
        h = hashlib.sha256(open("%s/%s-H" % (inp, i), "rb").read())
        if h.hexdigest() != sums.get(i):
            changed.append(i)
out(not changed, "every message still queued has its -H unchanged or was "
    "deferred by Exim (%d deferred, %d changed otherwise)" % (
        len(deferred & queued), len(changed)))
raw = open(d + "/audit.log", "rb").read()
q = r'(?:"(?:[^"\\]|\\.)*"|[^" ]*)'
line = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ user=%s sudo_user=%s '
                  r'action=flush id=(\S+) domains=%s result=(\w+) detail=%s '
                  r'selection=%s$' % (q, q, q, q, q))
lines = raw.decode("latin-1").split("\n")
whole = raw.endswith(b"\n") or raw == b""
parsed = [line.match(l) for l in lines[:-1]]
torn = [l for l, m in zip(lines, parsed) if not m]
out(whole and not torn and len(parsed) > 0, "audit log: %d lines, all whole "
    "(ends in a newline: %s, torn or partial: %d)" % (len(parsed), whole,
                                                     len(torn)))
aud = [(m.group(1), m.group(2)) for m in parsed if m]
ids = [a for a, _ in aud]
out(len(ids) == len(set(ids)), "audit log: at most one line per message")
rep = []
for l in open(d + "/out.json", errors="replace"):
    try:
        rep.append(json.loads(l)["id"])
    except ValueError:
        pass			# the line the kill cut
out(set(ids) <= set(rep) and len(rep) - len(ids) <= 1, "audit log: one line "
    "per result mxtop reported (%d lines, %d results)" % (len(ids), len(rep)))
done = {a for a, r in aud if r == "done"}
out(done <= delivered, "audit log: every 'done' was delivered (%d)" %
    len(done))
others = [a for a, r in aud if r != "done" and a not in queued]
out(not others, "audit log: every other result is still queued")
# Delivered but not recorded: the runs going at the kill, and those that
# ended in the step mxtop was in (it starts the next ones before it
# records): at most twice --parallel.
miss = delivered - done
out(len(miss) <= 2 * par, "delivered without an audit line: %d (the Exim "
    "runs of the last step; at most %d)" % (len(miss), 2 * par))
plan = set(re.findall(r" -M (\S+)$", open(d + "/dry").read(), re.M))
left = queued & set(before)
out(plan == left, "the next flush --dry-run plans exactly the %d left "
    "(plans %d)" % (len(left), len(plan)))
PY
}
verdict() {
	while IFS= read -r l; do
		case $l in
		"OK "*) ok "$1: ${l#OK }" ;;
		"BAD "*) bad "$1: ${l#BAD }" ;;
		*) echo "# $l" ;;
		esac
	done
}

sb_primary $DOM accept
after_50() { [ "$(grep -c . "$1")" -ge 50 ]; }
deferred() { grep -q '"result":"deferred"' "$1"; }
# Killed after some 50 results (about 2.5 s at 20/s).
run kill after_50 4 --rate 20/s
verdict "accepting primary" < "$SB_DIR/kill/verdicts"
# The primary flaps (3 s accepting, 3 s 421); an adaptive flush of what
# is left, killed at its first deferral, while it slows down.
sb_primary $DOM flap -d "$SB_MAIL/$DOM" -f 3
run flap deferred 2 --rate 20/s --adaptive
verdict "flapping primary" < "$SB_DIR/flap/verdicts"

sb_stop
t_done
