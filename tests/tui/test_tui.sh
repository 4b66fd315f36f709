#!/bin/bash
# test_tui.sh -- the TUI end to end in tmux, as tmux's own regress tests do:
# a private server (-L), no config, a fixed 100x30 window, send-keys, and
# capture-pane polled for a marker (never a bare sleep).  Open, sort,
# filter, drill into a domain and a message, a header with an escape
# sequence (shown escaped), export a domain, resize, quit.  Runs on a copy of the sample
# spool with its "now" pinned; no Exim needed.  Exit 77 without tmux.
#
#	MXTOP=./mxtop SAMPLE=sample-spool bash tests/tui/test_tui.sh
set -u
command -v tmux >/dev/null 2>&1 || { echo "tmux missing: skipped"; exit 77; }
MXTOP=$(cd "$(dirname "${MXTOP:-./mxtop}")" && pwd)/$(basename "${MXTOP:-./mxtop}")
SAMPLE=${SAMPLE:-sample-spool}
[ -d "$SAMPLE/input" ] || { echo "no sample spool: skipped"; exit 77; }
NOW=$(cat "$SAMPLE/now" 2>/dev/null || echo 1762500000)
TMP=$(mktemp -d /tmp/mxtop-tui.XXXXXX)
T="tmux -L mxt$$ -f /dev/null"
fails=0
trap '$T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

cp -a "$SAMPLE" "$TMP/spool"

# A message whose Subject carries an OSC title and a colour sequence.  The
# -H header line's length prefix counts the header's bytes with its \n.
EVIL=$(python3 - "$TMP/spool" <<'EOF'
import os, re, sys
spool = sys.argv[1]
for root, _, files in os.walk(os.path.join(spool, "input")):
    for f in sorted(files):
        if not f.endswith("-H"):
            continue
        p = os.path.join(root, f)
        data = open(p, "rb").read()
        m = re.search(rb"^(\d{3,})([ A-Z*])( ?Subject: )[^\n]*\n", data, re.M)
        if not m:
            continue
        text = m.group(3).lstrip() + b"\x1b]0;pwned\x07\x1b[31mred alert\n"
        line = b"%03d%s %s" % (len(text), m.group(2), text)
        data = data[:m.start()] + line + data[m.end():]
        st = os.stat(p)
        open(p, "wb").write(data)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
        print(f[:-2])
        sys.exit(0)
EOF
)

fail() { echo "FAIL: $*"; fails=$((fails + 1)); $T capture-pane -p | sed 's/^/| /'; }

# Polls the screen until it shows (or, with !, stops showing) a pattern.
wait_for() {
	local neg=false i
	[ "$1" = ! ] && { neg=true; shift; }
	for i in $(seq 1 100); do
		if $T capture-pane -p | grep -q -F -- "$1"; then
			$neg || return 0
		else
			$neg && return 0
		fi
		sleep 0.1
	done
	fail "waiting for $($neg && echo "no ")'$1'"
	return 1
}

screen() { $T capture-pane -p; }

$T new-session -d -x 100 -y 30 -c "$TMP" \
    "env TERM=${TEST_TERM:-tmux-256color} LANG=${TEST_LANG:-C.UTF-8} \
    $MXTOP -s $TMP/spool --now $NOW -d 1; echo MXTOP-EXITED \$?; sleep 60"

# Open: header, column header, rows.
wait_for "DOMAIN" || exit 1
wait_for "msgs"
screen | head -1 | grep -q "^mxtop " || fail "header line"
screen | grep -q "spool $TMP/spool" || fail "spool in the header"
FIRST=$(screen | sed -n 5p | awk '{print $1}')

# Sort: s cycles, S reverses.
$T send-keys s
wait_for "sorted by age"
$T send-keys S
wait_for "sorted by age, reversed"
$T send-keys s s s
wait_for "sorted by name, reversed"

# Filter: the status line shows the command line.
$T send-keys / 
wait_for "Filter: _"
$T send-keys "domain:$FIRST" Enter
wait_for "filter domain:$FIRST"
wait_for "mxtop summary --domain $FIRST"
[ "$(screen | sed -n '5,28p' | grep -c '\.')" -eq 1 ] || fail "one domain after the filter"

# Drill down: domain -> messages -> message -> body, and back.
$T send-keys Enter
wait_for "RECIPIENTS"
wait_for "mxtop list --domain $FIRST"
$T send-keys Enter
wait_for "Recipients ("
wait_for "Recipients ("
$T send-keys B
wait_for "Body of"
$T send-keys B
wait_for "Recipients ("
$T send-keys q
wait_for "RECIPIENTS"
$T send-keys q
wait_for "DOMAIN"

# The message with the escape sequence in its Subject: shown escaped.
if [ -n "$EVIL" ]; then
	$T send-keys / C-u "id:$EVIL" Enter
	wait_for "filter id:$EVIL"
	$T send-keys Enter
	wait_for "RECIPIENTS"
	$T send-keys Enter
	wait_for "Recipients ("
	# Subject comes first, before the history, shown escaped.
	wait_for "^[]0;pwned^G^[[31mred alert"
	screen | grep -q "Subject: *\^\[\]0;pwned" || fail "escaped subject"
	$T send-keys q q
	wait_for "DOMAIN"
else
	fail "no message with a Subject header to plant the escape in"
fi

# Diagnose and help.
$T send-keys d
wait_for "Diagnose "
$T send-keys q '?'
wait_for "rescan the spool now"
$T send-keys Escape
wait_for "DOMAIN"

# Resize: 80x24 drops AGES (and SIZE) first; names stay whole and FROZEN
# shows; back to 100 has AGES again.
$T send-keys / C-u Enter
wait_for "filter none"
$T resize-window -x 80 -y 24
wait_for ! "AGES"
screen | grep -q "FROZEN" || fail "no FROZEN at 80 columns"
screen | grep -q "\.exam~" && fail "a domain name cut at 80 columns"
screen | LC_ALL=C.UTF-8 python3 -c 'import sys; sys.exit(any(len(l.rstrip("\n")) > 80 for l in sys.stdin))' ||
    fail "lines over 80"
[ "$(screen | wc -l)" -le 24 ] || fail "more than 24 lines"
# 132x43: every column, AGES among them, no name cut, the cursor's N/M.
$T resize-window -x 132 -y 43
wait_for "AGES"
screen | grep -q "LASTOK" || fail "no LASTOK at 132 columns"
screen | sed -n '5,40p' | grep -q "~" && fail "a cell cut at 132 columns"
screen | grep -q " 1/[0-9][0-9]*" || fail "no N/M cursor position"
[ "$(screen | wc -l)" -le 43 ] || fail "more than 43 lines"

# A plain word filters by substring (domain, sender, recipients); a word
# that matches nothing says so.
$T send-keys / C-u "wood" Enter
wait_for "filter wood"
wait_for "mxtop summary --match wood"
screen | sed -n '5,40p' | grep -q "woodgrove.example" ||
    fail "plain word: woodgrove not shown"
[ "$(screen | sed -n '5,40p' | grep -c '\.example ')" -eq 1 ] ||
    fail "plain word: more than woodgrove"
$T send-keys / C-u "zzz-nothing" Enter
wait_for "no match for filter zzz-nothing"
screen | grep -q "nothing queued" && fail "no match shown as nothing queued"
$T send-keys / C-u Enter
wait_for "filter none"

# / in a pager searches; n goes to the next match and says which.
$T send-keys Home d
wait_for "Diagnose "
$T send-keys / C-u "the" Enter
wait_for "match 1 of "
N=$(screen | sed -n 's/.*match 1 of \([0-9]*\) .*/\1/p' | head -1)
if [ -n "$N" ] && [ "$N" -gt 1 ]; then
	$T send-keys n
	wait_for "match 2 of $N"
	$T send-keys N
	wait_for "match 1 of $N"
else
	fail "pager search: one match or none ($N)"
fi
$T send-keys / C-u "zzz-nothing" Enter
wait_for "no match for zzz-nothing"
$T send-keys q
wait_for "DOMAIN"

$T resize-window -x 100 -y 30
wait_for "AGES"

# Export: e on a domain asks for the file name (the default prefilled),
# Enter exports it; the result line, then the archive holds the messages.
# The file goes to mxtop's working directory, $TMP.
$T send-keys Home e
wait_for " to file: mxtop-"
NAME=$(screen | tail -1 | sed -n 's/.* to file: \(mxtop-[^ ]*\.tar\.gz\)_.*/\1/p')
[ -n "$NAME" ] || fail "no default file name"
$T send-keys Enter
wait_for "exported "
screen | tail -1 | grep -q "exported [0-9]* messages\? to $NAME ([0-9]* gone)" ||
    fail "export result line"
if [ -n "$NAME" ] && [ -f "$TMP/$NAME" ]; then
	if command -v bsdtar >/dev/null 2>&1; then
		bsdtar -tf "$TMP/$NAME" | grep -q '^messages/.*\.eml$' ||
		    fail "no messages in $NAME"
		bsdtar -tf "$TMP/$NAME" | grep -q '^manifest.csv$' ||
		    fail "no manifest in $NAME"
	fi
else
	fail "no file $NAME"
fi
# Once more: the file exists, so the name is asked again; Esc cancels.
$T send-keys e
wait_for " to file: mxtop-"
$T send-keys Enter
wait_for "that file exists"
$T send-keys Escape
wait_for "export cancelled"

# Quit from the top screen.
$T send-keys q
wait_for "MXTOP-EXITED 0"

[ "$fails" -eq 0 ] && echo "test_tui: ok" || echo "test_tui: $fails failed"
[ "$fails" -eq 0 ]
