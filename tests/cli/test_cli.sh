#!/usr/bin/env bash
# test_cli.sh -- the commands as a user runs them: exit statuses, machine
# output that parses, hostile spool files that become flagged rows, text
# that never carries a raw control byte, and the sample spool's story.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
tmp=$(mktemp -d /tmp/mxtop-cli.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# expect STATUS DESCRIPTION CMD...: the exit status of CMD.
expect() {
	local want=$1 what=$2 rc
	shift 2
	"$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ]; then
		ok "$what (exit $rc)"
	else
		bad "$what: exit $rc, wanted $want"
		sed 's/^/# /' "$tmp/err" | head -5
	fi
}

# --- usage and environment errors: exit 2, one line "mxtop: ..." ---
expect 2 "unknown command" "$MXTOP" -s "$tmp" frobnicate
expect 2 "bad duration" "$MXTOP" -s "$tmp" --older-than 2x list
expect 2 "bad regex" "$MXTOP" -s "$tmp" --rcpt '~(' list
expect 2 "bad format" "$MXTOP" -s "$tmp" --format xml list
expect 2 "bad --now" "$MXTOP" -s "$tmp" --now yesterday list
expect 2 "show with a hostile id" "$MXTOP" -s "$tmp" show '../../etc/passwd'
expect 2 "missing spool" "$MXTOP" -s "$tmp/nonexistent" summary
if [ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^mxtop: .*nonexistent/input' "$tmp/err"
then ok "missing spool: one line naming it"
else bad "missing spool message: $(cat "$tmp/err")"
fi

# --- a hostile spool: every bad file is a flagged row, nothing crashes ---
sp=$tmp/spool
mkdir -p "$sp/input/A" "$sp/msglog"
id=1tSm9Y-000W7E-84
good() {	# good ID SENDER RCPT: a well-formed message
	local subj=$'Subject: \x1b[2J\x1b]0;pwned\x07 hi\n'
	{
		printf '%s-H\nDebian-exim 102 105\n<%s>\n1735689600 0\n' "$1" "$2"
		printf -- '-received_time_usec .000001\nXX\n1\n%s\n\n' "$3"
		printf '%03d  %s' "$(printf %s "$subj" | wc -c)" "$subj"
	} > "$sp/input/$1-H"
	printf '%s-D\nbody\n' "$1" > "$sp/input/$1-D"
}
good 1tSm9Y-000W7E-84 $'evil\x1b[31m@sender.example' 'bob@example.net'
good 1tSm9Z-000W7E-AA 'ok@sender.example' 'carol@example.net'
# Truncated, garbage, NUL residue, wrong first line, a directory named
# like a message, a dangling symlink, a sparse 80 MB file.
head -c 60 "$sp/input/$id-H" > "$sp/input/1tSmA0-000W7E-01-H"
head -c 300 /dev/urandom > "$sp/input/1tSmA1-000W7E-02-H"
{ cat "$sp/input/$id-H"; head -c 64 /dev/zero; } > "$sp/input/1tSmA2-000W7E-03-H"
sed '1s/.*/1tSmXX-000W7E-99-H/' "$sp/input/$id-H" > "$sp/input/1tSmA3-000W7E-04-H"
mkdir "$sp/input/1tSmA4-000W7E-05-H"
ln -s /nonexistent "$sp/input/A/1tSmAA-000W7E-06-H"
truncate -s 80M "$sp/input/1tSmA5-000W7E-07-H"
# Names that are not messages: ignored, and never reach anything.
touch "$sp/input/1tSm9Y-000W7E-84;rm -rf ~-H" "$sp/input/\$(reboot)-H" \
    "$sp/input/hdr.1tSm9Y-000W7E-84" "$sp/input/1tSm9Y-000W7E-84-K"
expect 0 "hostile spool: list" "$MXTOP" -s "$sp" --now 1735700000 list
cp "$tmp/out" "$tmp/list.txt"
n=$(grep -c ' BC*$' "$tmp/list.txt")
if [ "$n" = 7 ]; then ok "hostile spool: 7 rows flagged bad"
else bad "hostile spool: $n rows flagged bad, wanted 7"; sed 's/^/# /' "$tmp/list.txt"
fi
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/list.txt"; then
	bad "raw control bytes in list output"
else
	ok "no raw control byte in list output"
fi
expect 0 "hostile spool: show" "$MXTOP" -s "$sp" --now 1735700000 show "$id"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$tmp/out"; then
	bad "raw control bytes in show output"
elif grep -qF '^[[2J^[]0;pwned^G hi' "$tmp/out"; then
	ok "escape sequences in headers shown escaped"
else
	bad "escaped subject not found"; sed 's/^/# /' "$tmp/out"
fi
expect 0 "hostile spool: list --format json" "$MXTOP" -s "$sp" --now 1735700000 list --format json
if python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
bad = [m for m in l if m["bad"]]
assert len(l) == 9 and len(bad) == 7, (len(l), len(bad))
assert all(m["sender"] is None for m in bad)
assert "\x1b" in [m for m in l if m["id"] == "1tSm9Y-000W7E-84"][0]["sender"]
' "$tmp/out"; then ok "json: 9 messages, 7 bad with reasons, ESC kept as \\u001b"
else bad "json content"
fi
expect 1 "show of a message not in the queue" "$MXTOP" -s "$sp" show 1tSm9Y-000W7E-99

# --- machine output parses, for every command and format ---
if [ -d "$SAMPLE/input" ]; then
	now=$(cat "$SAMPLE/now")
	for c in summary list diagnose; do
		"$MXTOP" -s "$SAMPLE" --now "$now" --since 7d $c --format json \
		    > "$tmp/$c.json" &&
		python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/$c.json" &&
		    ok "$c --format json parses" || bad "$c --format json"
	done
	for c in summary list; do
		"$MXTOP" -s "$SAMPLE" --now "$now" $c --format csv > "$tmp/$c.csv" &&
		python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert len(rows) > 2 and len({len(r) for r in rows}) == 1, "ragged"
' "$tmp/$c.csv" && ok "$c --format csv is rectangular" || bad "$c --format csv"
	done
	id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["id"])' "$tmp/list.json")
	"$MXTOP" -s "$SAMPLE" --now "$now" show "$id" --format json > "$tmp/show.json" &&
	    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["history"]' "$tmp/show.json" &&
	    ok "show --format json parses and has history" || bad "show json"
	# A msglog that is a symlink (to a file that reads as a msglog, or
	# to anything root can read) is never followed: show says so.
	rm -rf "$tmp/ml" && cp -a "$SAMPLE" "$tmp/ml"
	mlog=$(find "$tmp/ml/msglog" -type f -name "$id" | head -1)
	{ cat "$mlog"; echo "2025-01-01 00:00:00 SECRET-LINE-OF-ELSEWHERE"; } \
	    > "$tmp/elsewhere"
	ln -sf "$tmp/elsewhere" "$mlog"
	if "$MXTOP" -s "$tmp/ml" --now "$now" show "$id" > "$tmp/show-ml.txt" &&
	    ! grep -q SECRET "$tmp/show-ml.txt" &&
	    grep -q 'msglog not read: a symlink, never followed' \
	    "$tmp/show-ml.txt" &&
	    "$MXTOP" -s "$tmp/ml" --now "$now" show "$id" --format json |
	    python3 -c 'import json,sys; assert json.load(sys.stdin)["history"] == []'
	then
		ok "a symlinked msglog is not followed (show says so)"
	else
		bad "symlinked msglog: $(grep -i -e secret -e msglog "$tmp/show-ml.txt")"
	fi
	"$MXTOP" -s "$SAMPLE" --now "$now" summary --width 80 > "$tmp/sum.txt"
	w=$(awk '{ if (length($0) > m) m = length($0) } END { print m }' "$tmp/sum.txt")
	[ "$w" -le 80 ] && ok "summary text fits 80 columns ($w)" || bad "summary is $w wide"

	# The sample spool's story: each customer domain gets its class.
	# wingtip's junk has bounced: nothing queued, so it is named.
	"$MXTOP" -s "$SAMPLE" --now "$now" --since 7d diagnose wingtip.example \
	    --format json > "$tmp/wingtip.json"
	if python3 - "$tmp/diagnose.json" "$tmp/wingtip.json" <<'EOF'
import json, sys
want = {
    'northwind.example': 'offline', 'contoso.example': 'tarpit',
    'fabrikam.example': 'tarpit', 'tailspin.example': 'ratelimit',
    'adatum.example': 'softreject', 'litware.example': 'blocked',
    'wingtip.example': 'hardreject', 'proseware.example': 'dns',
    'woodgrove.example': 'loop',
}
got = {}
for f in sys.argv[1:]:
    got.update({d['domain']: d['class'] for d in json.load(open(f))['domains']})
wrong = {d: (got.get(d), c) for d, c in want.items() if got.get(d) != c}
for d, (g, c) in wrong.items():
    print('# %s: %s, wanted %s' % (d, g, c))
sys.exit(1 if wrong else 0)
EOF
	then ok "sample spool: every domain diagnosed as its story says"
	else bad "sample spool diagnosis"
	fi
	# check: a monitoring plugin: one line with perfdata, 0 OK,
	# 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
	expect 0 "check within limits" "$MXTOP" -s "$SAMPLE" --now "$now" \
	    check --max-age 1w --max-depth 1000
	grep -q '^MXTOP OK - 246 messages.* | depth=246;;1000;0 oldest=[0-9]*s;;604800;0' \
	    "$tmp/out" && [ "$(wc -l < "$tmp/out")" = 1 ] &&
	    ok "check: one OK line with perfdata" || bad "check line: $(cat "$tmp/out")"
	expect 1 "check over --warn-age" "$MXTOP" -s "$SAMPLE" --now "$now" \
	    check --warn-age 2d --crit-age 1w
	grep -q '^MXTOP WARNING - .*oldest 3d11h' "$tmp/out" &&
	    ok "check: WARNING names the oldest" ||
	    bad "check warning line: $(cat "$tmp/out")"
	expect 2 "check over --max-age (critical)" "$MXTOP" -s "$SAMPLE" \
	    --now "$now" check --max-age 2d
	expect 2 "check over --crit-depth" "$MXTOP" -s "$SAMPLE" --now "$now" \
	    check --warn-depth 50 --crit-depth 100
	expect 3 "check without a spool (UNKNOWN)" "$MXTOP" -s "$tmp/none" check
	grep -q '^MXTOP UNKNOWN - ' "$tmp/out" && ok "check: UNKNOWN line" ||
	    bad "unknown line: $(cat "$tmp/out")"
	expect 3 "check with a bad option (UNKNOWN)" "$MXTOP" -s "$SAMPLE" \
	    check --warn-age soon
	"$MXTOP" -s "$SAMPLE" --now "$now" check --format json > "$tmp/ck.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["status"]=="OK" and d["messages"]==246 else 1)' \
	    "$tmp/ck.json" && ok "check --format json" || bad "check json"
	"$MXTOP" -s "$SAMPLE" --now "$now" --class tarpit list --format json \
	    > "$tmp/tp.json"
	python3 -c '
import json, sys
l = json.load(open(sys.argv[1]))
assert l and all(m["class"] == "tarpit" for m in l), l[:1]
' "$tmp/tp.json" && ok "--class tarpit selects tarpit messages" || bad "--class"

	# Every format either works as documented or is refused in one line.
	S=(-s "$SAMPLE" --now "$now" --since 7d)
	one_line() {	# WHAT: stderr is one line starting "mxtop: "
		[ "$(wc -l < "$tmp/err")" = 1 ] && grep -q '^mxtop: ' "$tmp/err" &&
		    ok "$1: one line: $(cat "$tmp/err")" ||
		    bad "$1: stderr $(head -3 "$tmp/err")"
	}
	expect 2 "--once --format json refused" "$MXTOP" "${S[@]}" --once \
	    --format json
	one_line "--once --format json"
	expect 2 "diagnose --format csv refused" "$MXTOP" "${S[@]}" diagnose \
	    --format csv
	one_line "diagnose --format csv"
	expect 2 "export --format json refused" "$MXTOP" "${S[@]}" export \
	    --domain contoso.example -o "$tmp/x.tar.gz" --format json
	[ ! -e "$tmp/x.tar.gz" ] && ok "refused export wrote nothing" ||
	    bad "refused export wrote $tmp/x.tar.gz"
	expect 2 "unknown option" "$MXTOP" "${S[@]}" --frobnicate list
	grep -qx 'mxtop: unknown option --frobnicate (mxtop --help lists them)' \
	    "$tmp/err" && ok "unknown option: the documented line" ||
	    bad "unknown option: $(cat "$tmp/err")"
	expect 2 "unknown command" "$MXTOP" "${S[@]}" frobnicate
	grep -qx 'mxtop: unknown command frobnicate (mxtop --help lists them)' \
	    "$tmp/err" && ok "unknown command: the documented line" ||
	    bad "unknown command: $(cat "$tmp/err")"
	"$MXTOP" --help | grep -q -- '--since WHEN' && ok "--help lists --since" ||
	    bad "--help has no --since"
	# list --sort bytes: largest first; summary --sort class: the class
	# order, customers first.
	"$MXTOP" "${S[@]}" list --sort bytes --format csv | awk -F, 'NR > 1 {
		if (prev != "" && $4 + 0 > prev + 0) bad = 1; prev = $4 }
	    END { exit bad || NR < 3 }' && ok "list --sort bytes: largest first" ||
	    bad "list --sort bytes: not by size"
	"$MXTOP" "${S[@]}" list --sort bytes -r --format csv | awk -F, 'NR > 1 {
		if (prev != "" && $4 + 0 < prev + 0) bad = 1; prev = $4 }
	    END { exit bad || NR < 3 }' && ok "list --sort bytes -r: smallest first" ||
	    bad "list --sort bytes -r"
	"$MXTOP" "${S[@]}" summary --sort class --format csv > "$tmp/sc.csv"
	python3 - "$tmp/sc.csv" <<'EOF' && ok "summary --sort class: by class" ||
import csv, sys
order = ['offline', 'tarpit', 'ratelimit', 'softreject', 'blocked',
         'hardreject', 'dns', 'loop', 'backscatter', 'greylist', 'other', '']
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r['domain'] not in
        ('TOTAL', 'CUSTOMERS')]
keys = [order.index(r['class']) for r in rows]
assert len(set(keys)) > 3 and keys == sorted(keys), keys
EOF
	    bad "summary --sort class: $(cut -d, -f1,20 "$tmp/sc.csv" | head -5)"
	# flush --dry-run --format json: the plan as one document.
	expect 0 "flush --dry-run --format json" "$MXTOP" "${S[@]}" flush \
	    --domain contoso.example --dry-run --format json
	python3 - "$tmp/out" <<'EOF' && ok "the plan is JSON: 34 messages of contoso" ||
import json, sys
p = json.load(open(sys.argv[1]))
assert p['action'] == 'flush' and p['messages'] == 34, p['messages']
assert len(p['items']) == 34 and all(i['argv'].startswith('exim ')
                                     for i in p['items'])
EOF
	    bad "plan JSON: $(head -c 200 "$tmp/out")"
	# show A B --format json: one array.
	ids=$("$MXTOP" "${S[@]}" list --format ids | head -2)
	expect 0 "show two ids --format json" "$MXTOP" "${S[@]}" show $ids \
	    --format json
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); \
	    assert [m["id"] for m in d] == sys.argv[2:]' "$tmp/out" $ids &&
	    ok "show A B --format json: one array, in order" ||
	    bad "show json array: $(head -c 200 "$tmp/out")"
	# A selection that matches nothing: a note on stderr, exit 1.
	for a in flush delete; do
		expect 1 "$a of nothing" "$MXTOP" "${S[@]}" $a \
		    --domain nothing.example --yes
		grep -q 'matches no message' "$tmp/err" &&
		    ok "$a of nothing: said on stderr" || bad "$a: $(cat "$tmp/err")"
	done
	expect 1 "export of nothing" "$MXTOP" "${S[@]}" export \
	    --domain nothing.example -o "$tmp/none.tar.gz"
	# Text fills the terminal when stdout is one: COLUMNS, else 80;
	# --width forces.
	if command -v script > /dev/null; then
		COLUMNS=120 script -qec "$MXTOP ${S[*]} summary" /dev/null \
		    > "$tmp/tty.txt" < /dev/null
		w=$(tr -d '\r' < "$tmp/tty.txt" | awk '{ if (length > m) m = length }
		    END { print m + 0 }')
		[ "$w" -gt 80 ] && [ "$w" -le 120 ] &&
		    ok "on a terminal with COLUMNS=120: $w columns" ||
		    bad "on a terminal with COLUMNS=120: $w columns"
	fi
	COLUMNS=120 "$MXTOP" "${S[@]}" summary > "$tmp/pipe.txt"
	w=$(awk '{ if (length > m) m = length } END { print m + 0 }' "$tmp/pipe.txt")
	[ "$w" -le 80 ] && ok "to a pipe: 80 columns ($w)" || bad "to a pipe: $w"
	"$MXTOP" "${S[@]}" summary --width 132 > "$tmp/w.txt"
	w=$(awk '{ if (length > m) m = length } END { print m + 0 }' "$tmp/w.txt")
	[ "$w" -gt 100 ] && [ "$w" -le 132 ] && ok "--width 132: $w columns" ||
	    bad "--width 132: $w"
	# What could not be read is said, one warning line each; the output
	# still comes, exit 0.
	warned() {	# WHAT PATTERN CMD...: exit 0, stderr names it
		local what=$1 pat=$2
		shift 2
		"$@" > "$tmp/out" 2> "$tmp/err"
		local rc=$?
		if [ "$rc" = 0 ] && [ -s "$tmp/out" ] &&
		    grep -q "^mxtop: warning: .*$pat" "$tmp/err"; then
			ok "$what: $(grep -m1 warning "$tmp/err")"
		else
			bad "$what: exit $rc, stderr: $(head -2 "$tmp/err")"
		fi
	}
	cp -a "$SAMPLE" "$tmp/ur"
	chmod 755 "$tmp" "$tmp/ur"
	printf '%s\n' '2025-11-06 10:00:00 1abcde-000000-00 <= a@b.example H=x [192.0.2.1] P=esmtp S=100' \
	    '2025-11-06 10:00:01 1abcde-000000-00 => c@d.example R=r T=t H=y [192.0.2.2]' \
	    > "$tmp/other.log"
	warned "a log of another relay" "names none of the 246 queued" \
	    "$MXTOP" -s "$tmp/ur" -l "$tmp/other.log" --now "$now" --since 7d summary
	warned "a log with nothing in the window" "has no line since" \
	    "$MXTOP" -s "$tmp/ur" --now "$((now + 2 * 86400))" --since 1h summary
	warned "no log at all" "No such file.*msglogs only" \
	    "$MXTOP" -s "$tmp/ur" -l "$tmp/nolog" --now "$now" summary
	"$MXTOP" -s "$tmp/ur" -l "$tmp/nolog" --now "$now" --once --width 120 \
	    2> /dev/null | sed -n 3p | grep -q '! main log .*nolog' &&
	    ok "the TUI's header marks it (! main log ...)" ||
	    bad "no mark in the TUI header"
	"$MXTOP" "${S[@]}" summary > /dev/null 2> "$tmp/err"
	[ ! -s "$tmp/err" ] && ok "the sample spool as it is: no warning" ||
	    bad "sample spool warns: $(cat "$tmp/err")"
	if command -v setpriv > /dev/null && [ "$(id -u)" = 0 ]; then
		nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		chmod 000 "$tmp/ur/msglog"
		warned "msglog unreadable" "cannot read .*/msglog: Permission denied" \
		    "${nobody[@]}" "$MXTOP" -s "$tmp/ur" --now "$now" --since 7d summary
		chmod 755 "$tmp/ur/msglog"
		chmod 000 "$tmp/ur/log/mainlog"
		warned "main log unreadable" "mainlog: Permission denied" \
		    "${nobody[@]}" "$MXTOP" -s "$tmp/ur" --now "$now" --since 7d diagnose
		chmod 644 "$tmp/ur/log/mainlog"
		chmod 000 "$tmp/ur/input"
		"${nobody[@]}" "$MXTOP" -s "$tmp/ur" --now "$now" show \
		    "$(ls "$SAMPLE/input" | head -1 | sed 's/-[DH]$//')" \
		    > /dev/null 2> "$tmp/err"
		rc=$?
		[ "$rc" = 2 ] && grep -q 'Permission denied' "$tmp/err" &&
		    ok "input unreadable: show says so, exit 2" ||
		    bad "input unreadable: show exit $rc: $(cat "$tmp/err")"
		chmod 755 "$tmp/ur/input"
	fi
	# One cut mark: ~ (never +) in text.
	"$MXTOP" "${S[@]}" list --width 60 > "$tmp/narrow.txt"
	grep -q '~' "$tmp/narrow.txt" && ! grep -q '[a-z]+ ' "$tmp/narrow.txt" &&
	    ok "cut fields end in ~" || bad "cut mark: $(sed -n 2p "$tmp/narrow.txt")"
else
	echo "# no sample spool: skipped its checks"
fi

t_done
