#!/usr/bin/env bash
# test_export.sh -- mxtop export against real Exim 4.96, flat and split.
# Exim's own reconstruction is the oracle: every messages/<id>.eml must
# equal `exim -Mvc <id>` byte for byte.  Also: archive member lists
# (bsdtar, unzip) equal the selection, manifest rows equal `mxtop list
# --format json`, the mbox opens with Python's mailbox module and holds
# the same messages, a message locked by a "delivery" is still exported,
# mxtop takes no lock, and nothing in the spool changes.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout bsdtar unzip strace
. "$here/sandbox.sh"

# send_raw data|bdat FROM FILE RCPT...: one message whose content is FILE
# (CRLF lines), sent with DATA (dot-stuffed here) or as one BDAT chunk.
send_raw() {
	local mode=$1 from=$2 file=$3 r id
	shift 3
	_sb_open 192.0.2.25 || return 1
	_sb_cmd "EHLO mail.partners.example"
	_sb_cmd "MAIL FROM:<$from>"
	for r in "$@"; do _sb_cmd "RCPT TO:<$r>"; done
	if [ "$mode" = bdat ]; then
		printf 'BDAT %d LAST\r\n' "$(stat -c %s "$file")" >&"${SB_CO[1]}"
		cat "$file" >&"${SB_CO[1]}"
	else
		_sb_cmd DATA
		sed 's/^\./../' "$file" >&"${SB_CO[1]}"
		printf '.\r\n' >&"${SB_CO[1]}"
	fi
	_sb_reply
	id=
	[[ $SB_REPLY =~ id=([0-9A-Za-z-]+) ]] && id=${BASH_REMATCH[1]}
	_sb_close
	[ -n "$id" ] || { echo "send_raw: $SB_REPLY" >&2; return 1; }
	echo "$id"
}

# Message files with 8-bit text, binary-ish attachments (every byte but
# CR and LF, NULs included), mbox traps ("From " and ">From " lines), a
# dot line, a header to be deleted and folded headers; with "cr" a bare
# CR too (which Exim turns into LF over DATA, but keeps over BDAT).
make_raw() {
	python3 - "$1" "$2" "${3-}" <<'EOF'
import sys, random
out, n, cr = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "cr"
rnd = random.Random(n)
def hdrs(i):
    return (b"From: Caf\xc3\xa9 Owner <owner%d@vendor.example>\r\n" % i +
        b"To: Kunde <kunde%d@northwind.example>\r\n" % i +
        b"Subject: =?UTF-8?Q?R=C3=A9sum=C3=A9?= \xc3\xbcber %d\r\n" % i +
        b"Date: Mon, 01 Jan 2024 00:00:00 +0000\r\n" +
        b"Message-ID: <raw%d@vendor.example>\r\n" % i +
        b"X-Relay-Spam-Score: 9.9\r\n" +
        b"X-Long: " + b" ".join(b"w%d" % k for k in range(30)) +
        b"\r\n\tand a second line\r\n  and a third\r\n" +
        b"MIME-Version: 1.0\r\n" +
        b"Content-Type: multipart/mixed; boundary=\"b%d\"\r\n\r\n" % i)
def body(i):
    b = (b"--b%d\r\nContent-Type: text/plain; charset=latin1\r\n" % i +
        b"Content-Transfer-Encoding: 8bit\r\n\r\n" +
        b"Gr\xfc\xdfe aus K\xf6ln\r\nFrom the desk of the CEO\r\n" +
        b">From quoted already\r\n>>From twice\r\n.a dot line\r\n" +
        b".\r\n" + (b"bare\rCR inside\r\n" if cr else b"") + b"\r\n" +
        b"--b%d\r\nContent-Type: application/octet-stream\r\n" % i +
        b"Content-Transfer-Encoding: binary\r\n\r\n")
    allb = bytes(c for c in range(256) if c not in (10, 13))
    for k in range(20 + rnd.randrange(200)):
        b += bytes(rnd.choice(allb) for _ in range(rnd.randrange(1, 120)))
        b += b"\r\n"
    b += b"--b%d--\r\n" % i
    return b
with open(out, "wb") as f:
    f.write(hdrs(n) + body(n))
EOF
}

# Builds a queue: plain, multi-recipient (partly delivered), bounces,
# folded and deleted headers, 8-bit and binary bodies over DATA and in
# wire format over BDAT, frozen ones.  $1: messages per kind (scale).
fill() {
	local k=$1 i id
	sb_primary northwind.example offline
	sb_primary contoso.example offline
	sb_primary lucerne.example accept
	sb_send_n "$k" -f 'news%n@partners.example' 'user%n@northwind.example' \
	    > /dev/null
	sb_send_n "$k" -f 'orders@vendor.example' 'a%n@contoso.example' \
	    'b%n@lucerne.example' 'C%n@NorthWind.Example' > /dev/null
	sb_send_n $((k / 2)) -f '' 'postmaster@northwind.example' > /dev/null
	for i in $(seq "$k"); do
		sb_send -f "hr$i@agency.example" \
		    -s $'Caf\xc3\xa9 \x1b[31mred\x1b[0m report' \
		    -H "X-Relay-Spam-Score: 9.9" \
		    -H "$(printf 'X-Folded: %s\r\n\t%s\r\n\t%s' \
		    "$(printf 'word%.0s ' $(seq 40))" \
		    "$(printf 'more%.0s ' $(seq 40))" "end $i")" \
		    -b $'From here on\n>From there\n\xe4\xf6\xfc 8-bit' \
		    -B 3000 "user$i@northwind.example" "x$i@contoso.example" \
		    > /dev/null
	done
	# The same content twice: over DATA (classic -D) and over BDAT (wire
	# format -D); see check_eml for why the twin is needed.
	: > "$SB_DIR/twins"
	for i in $(seq $((k / 2))); do
		make_raw "$SB_DIR/raw$i" "$i"
		did=$(send_raw data "bin$i@vendor.example" "$SB_DIR/raw$i" \
		    "bin$i@northwind.example")
		wid=$(send_raw bdat "wire$i@vendor.example" "$SB_DIR/raw$i" \
		    "wire$i@northwind.example" "w$i@contoso.example")
		echo "$wid $did" >> "$SB_DIR/twins"
		make_raw "$SB_DIR/rawcr$i" "$i" cr
		send_raw data "bincr$i@vendor.example" "$SB_DIR/rawcr$i" \
		    "bincr$i@northwind.example" > /dev/null
	done
	for i in $(seq $((k / 2))); do
		id=$(sb_send -f "ceo$i@agency.example" "boss$i@contoso.example")
		[ $((i % 2)) = 0 ] && sb_exim -Mf "$id" > /dev/null
	done
	sb_queue_run -f > /dev/null 2>&1 || true
}

snapshot() {
	(cd "$SB_SPOOL" && find input msglog -printf '%p %s %T@ %i %m\n' |
	    sort)
}

# Each messages/<id>.eml under $1 equals exim -Mvc <id>.
check_eml() {
	local what=$1 dir=$2 ids=$3 id n=0 diff=0 hdronly=${4:-0} wire=0 twin
	while read -r id; do
		if grep -qx -e -spool_file_wireformat \
		    "$(find "$SB_SPOOL/input" -name "$id-H")"; then
			# Exim 4.96's -Mvc is broken for wire-format messages:
			# it writes the headers with send() (ENOTSOCK on a
			# pipe: nothing is printed), then its sendfile() body
			# path writes nothing.  So: the headers from -Mvc on a
			# socket, the body from -Mvc of the DATA twin, which
			# Exim received with the same content.
			twin=$(awk -v w="$id" '$1 == w { print $2 }' \
			    "$SB_DIR/twins")
			timeout 60 python3 "$SB_DIR/mvcsock.py" "$EXIM" -C \
			    "$SB_CONF" -Mvc "$id" > "$SB_DIR/mvc.h"
			sb_exim -Mvc "$twin" > "$SB_DIR/mvc.t" 2> /dev/null
			python3 -c 'import sys
h = open(sys.argv[1], "rb").read()
t = open(sys.argv[2], "rb").read()
assert h.endswith(b"\n\n") and b"\n\n" in t
sys.stdout.buffer.write(h + t[t.find(b"\n\n") + 2:])' \
			    "$SB_DIR/mvc.h" "$SB_DIR/mvc.t" > "$SB_DIR/mvc" ||
			    { diff=$((diff + 1)); echo "# wire $id: no oracle"
			    continue; }
			wire=$((wire + 1))
		else
			sb_exim -Mvc "$id" > "$SB_DIR/mvc" 2> /dev/null || {
			    diff=$((diff + 1)); echo "# -Mvc $id failed"
			    continue; }
		fi
		if [ "$hdronly" = 1 ]; then
			python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.find(b"\n\n"); sys.stdout.buffer.write(d[:i+2])' \
			    "$SB_DIR/mvc" > "$SB_DIR/mvc.h"
			mv "$SB_DIR/mvc.h" "$SB_DIR/mvc"
		fi
		if cmp -s "$SB_DIR/mvc" "$dir/messages/$id.eml"; then
			n=$((n + 1))
		else
			diff=$((diff + 1))
			[ $diff -le 3 ] && { echo "# $id differs:";
			    cmp "$SB_DIR/mvc" "$dir/messages/$id.eml" 2>&1 |
			    sed 's/^/#   /'; }
		fi
	done < "$ids"
	if [ $diff = 0 ] && [ $n -gt 0 ]; then
		ok "$what: $n .eml files equal exim -Mvc byte for byte ($wire in wire format)"
	else
		bad "$what: $diff of $((n + diff)) .eml files differ from exim -Mvc"
	fi
}

run() {
	local lay=$1 now sel d lpid lockid fl rc rc2 rc3 i n
	now=$(date +%s)
	d=$SB_DIR/x
	rm -rf "$d"; mkdir -p "$d"
	# The whole queue, and one customer's part of it.
	"$MXTOP" -s "$SB_SPOOL" --now "$now" list --format ids > "$SB_DIR/all.ids"
	sel=(--domain northwind.example --sender '~^(bin|bincr|wire|hr)')
	"$MXTOP" -s "$SB_SPOOL" --now "$now" "${sel[@]}" list --format ids \
	    > "$SB_DIR/sel.ids"
	n=$(wc -l < "$SB_DIR/all.ids")
	if [ "$lay" = flat ] && [ "$n" -lt 100 ]; then
		bad "$lay: only $n messages queued"
	else
		ok "$lay: $n messages queued"
	fi
	if [ "$lay" = split ]; then
		ls -d "$SB_SPOOL"/input/?/ > /dev/null 2>&1 &&
		    ok "split: messages are in input/<c>/" ||
		    bad "split: no subdirectory in input/"
	fi
	# The queue holds what the issue asks for.
	"$MXTOP" -s "$SB_SPOOL" --now "$now" list --format json \
	    > "$SB_DIR/list0.json"
	python3 - "$SB_DIR/list0.json" "$SB_SPOOL/input" <<'EOF' &&
import glob, json, os, sys
l = json.load(open(sys.argv[1]))
assert any(m["frozen"] for m in l), "frozen"
assert any(m["sender"] == "" for m in l), "bounce"
assert any(len(m["recipients"]) > 1 for m in l), "multi-recipient"
assert any(r["state"] == "delivered" for m in l for r in m["recipients"])
hs = [open(f, "rb").read() for f in glob.glob(sys.argv[2] + "/**/*-H",
    recursive=True)]
assert any(b"* X-Relay-Spam-Score: 9.9" in h for h in hs), "deleted"
assert any(b"\n\t" in h for h in hs), "folded"
ds = [open(f, "rb").read() for f in glob.glob(sys.argv[2] + "/**/*-D",
    recursive=True)]
assert any(b"\0" in d for d in ds) and any(b"\xfc" in d for d in ds)
EOF
	ok "$lay: queue has frozen, bounce, multi-recipient, partly delivered, deleted/folded headers, NUL and 8-bit bodies" ||
	bad "$lay: the queue lacks a feature"
	grep -rlx -e -spool_file_wireformat "$SB_SPOOL/input" > /dev/null &&
	    ok "$lay: wire-format messages in the spool" ||
	    bad "$lay: no wire-format message (BDAT) in the spool"

	# Exim "delivering" one message: its lock on the -D's first line,
	# held through every export below.
	lockid=$(grep -m1 . "$SB_DIR/all.ids")
	fl=$(find "$SB_SPOOL/input" -name "$lockid-D")
	python3 -c '
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_APPEND)
fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, len(sys.argv[2]) + 3, 0)
print("locked", flush=True)
time.sleep(600)' "$fl" "$lockid" > "$SB_DIR/locker.out" &
	lpid=$!
	for i in $(seq 50); do
		grep -q locked "$SB_DIR/locker.out" && break
		sleep 0.1
	done

	# ---- The exports; Exim is asked nothing until the spool is compared.
	snapshot > "$SB_DIR/before.txt"
	"$MXTOP" -s "$SB_SPOOL" --now "$now" list --format json \
	    > "$SB_DIR/list.json"
	# Everything, as tar.gz, under strace: no lock may be taken.
	strace -f -qq -e trace=fcntl -o "$SB_DIR/strace.txt" \
	    "$MXTOP" -s "$SB_SPOOL" --now "$now" export -o "$d/all.tar.gz" \
	    2> "$SB_DIR/err.txt"
	rc=$?
	[ $rc = 0 ] && ok "$lay: export of the whole queue exits 0" ||
	    { bad "$lay: export exits $rc"; sed 's/^/# /' "$SB_DIR/err.txt"; }
	# One customer as zip; as tar.xz to stdout, headers only; as
	# mbox.gz; manifest only.
	"$MXTOP" -s "$SB_SPOOL" --now "$now" "${sel[@]}" export --as zip \
	    -o "$d/sel.zip" 2> "$SB_DIR/err.txt"
	rc=$?
	"$MXTOP" -s "$SB_SPOOL" --now "$now" "${sel[@]}" export --as tar.xz \
	    --headers-only -o - > "$d/hdr.txz"
	"$MXTOP" -s "$SB_SPOOL" --now "$now" "${sel[@]}" export --as mbox \
	    -o "$d/sel.mbox.gz"
	"$MXTOP" -s "$SB_SPOOL" --now "$now" "${sel[@]}" export \
	    --manifest-only -o "$d/man.tgz"
	cp "$d/man.tgz" "$d/old.tgz"
	"$MXTOP" -s "$SB_SPOOL" export -o "$d/old.tgz" 2> /dev/null
	rc1=$?
	cmp -s "$d/man.tgz" "$d/old.tgz" || rc1="$rc1 (but changed)"
	"$MXTOP" -s "$SB_SPOOL" export --force -o "$d/old.tgz"
	rc2=$?
	"$MXTOP" -s "$SB_SPOOL" export --as rar -o "$d/x.rar" 2> /dev/null
	rc3=$?
	snapshot > "$SB_DIR/after.txt"
	kill "$lpid" 2> /dev/null
	wait "$lpid" 2> /dev/null
	cmp -s "$SB_DIR/before.txt" "$SB_DIR/after.txt" &&
	    ok "$lay: nothing in the spool changed" ||
	    { bad "$lay: the spool changed"; diff "$SB_DIR/before.txt" \
	    "$SB_DIR/after.txt" | head -5 | sed 's/^/# /'; }
	if grep -E 'F_SETLK|F_SETLKW|F_OFD_SETLK' "$SB_DIR/strace.txt" |
	    grep -v F_UNLCK > /dev/null; then
		bad "$lay: mxtop took a lock"
		grep SETLK "$SB_DIR/strace.txt" | head -3 | sed 's/^/# /'
	else
		ok "$lay: no lock taken (strace: no F_SETLK)"
	fi

	# ---- The whole queue.
	mkdir -p "$d/all"
	bsdtar -xf "$d/all.tar.gz" -C "$d/all"
	bsdtar -tf "$d/all.tar.gz" | sort > "$SB_DIR/members.txt"
	{ sed 's|^|messages/|; s|$|.eml|' "$SB_DIR/all.ids";
	  printf '%s\n' manifest.csv manifest.json summary.txt; } | sort \
	    > "$SB_DIR/want.txt"
	cmp -s "$SB_DIR/members.txt" "$SB_DIR/want.txt" &&
	    ok "$lay: bsdtar -tf lists exactly the selection" ||
	    bad "$lay: member list differs from the selection"
	if bsdtar -tvf "$d/all.tar.gz" | grep '\.eml$' |
	    awk '$1 != "-rw-r--r--" { exit 1 }'; then
		ok "$lay: members are 0644 (bsdtar -tvf)"
	else
		bad "$lay: a member is not 0644"
	fi
	python3 - "$d/all.tar.gz" "$SB_DIR/all.ids" <<'EOF' &&
import sys, tarfile
ids = set(open(sys.argv[2]).read().split())
b62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
def arrival(i):
    v = 0
    for c in i[:6]:
        v = v * 62 + b62.index(c)
    return v
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        if m.name.startswith("messages/"):
            i = m.name[9:-4]
            assert i in ids and m.mtime == arrival(i), m.name
EOF
	ok "$lay: member mtimes are the arrival times" ||
	bad "$lay: member mtimes are not the arrival times"
	check_eml "$lay tar.gz" "$d/all" "$SB_DIR/all.ids"
	grep -q '"id":"'"$lockid"'"[^}]*"active":true' "$d/all/manifest.json" &&
	    [ -s "$d/all/messages/$lockid.eml" ] &&
	    ok "$lay: the locked (active) message was exported" ||
	    bad "$lay: the locked message $lockid was not exported as active"
	# Manifest rows equal mxtop list for the same selection; the
	# sha256 is that of the .eml; the CSV has the same rows.
	if python3 - "$SB_DIR/list.json" "$d/all" <<'EOF'
import csv, hashlib, json, sys
lst = json.load(open(sys.argv[1]))
man = json.load(open(sys.argv[2] + "/manifest.json"))
rows = man["messages"]
assert [m["id"] for m in lst] == [r["id"] for r in rows], "ids differ"
for m, r in zip(lst, rows):
    for k, v in m.items():
        assert r[k] == v, (m["id"], k, v, r[k])
    eml = open(sys.argv[2] + "/" + r["file"], "rb").read()
    assert r["state"] == "exported" and r["eml_size"] == len(eml)
    assert r["sha256"] == hashlib.sha256(eml).hexdigest(), m["id"]
with open(sys.argv[2] + "/manifest.csv", newline="") as f:
    c = list(csv.DictReader(f))
assert [x["id"] for x in c] == [r["id"] for r in rows]
for x, r in zip(c, rows):
    assert x["sha256"] == r["sha256"] and int(x["size"]) == r["size"]
    pend = " ".join(p["address"] for p in r["recipients"]
        if p["state"] == "pending")
    assert x["pending_recipients"] == pend, (x["id"], pend)
assert man["totals"]["exported"] == len(rows)
EOF
	then
		ok "$lay: manifest.json rows equal mxtop list; sha256 and CSV agree"
	else
		bad "$lay: manifest disagrees with mxtop list"
	fi
	grep -q 'Why the mail is waiting' "$d/all/summary.txt" &&
	    grep -q 'northwind.example' "$d/all/summary.txt" &&
	    ok "$lay: summary.txt holds the diagnosis" ||
	    bad "$lay: summary.txt lacks the diagnosis"

	# ---- One customer, zip: unzip -l lists exactly that selection.
	unzip -Z1 "$d/sel.zip" 2> /dev/null | sort > "$SB_DIR/members.txt"
	{ sed 's|^|messages/|; s|$|.eml|' "$SB_DIR/sel.ids";
	  printf '%s\n' manifest.csv manifest.json summary.txt; } | sort \
	    > "$SB_DIR/want.txt"
	[ $rc = 0 ] && [ -s "$SB_DIR/sel.ids" ] &&
	    cmp -s "$SB_DIR/members.txt" "$SB_DIR/want.txt" &&
	    unzip -tq "$d/sel.zip" > /dev/null &&
	    ok "$lay: zip (unzip -l) holds exactly the selection ($(wc -l < "$SB_DIR/sel.ids"))" ||
	    bad "$lay: zip members differ from the selection (rc $rc)"
	mkdir -p "$d/zip"
	(cd "$d/zip" && unzip -q ../sel.zip)
	check_eml "$lay zip" "$d/zip" "$SB_DIR/sel.ids"
	grep -q -- "export --domain northwind.example --sender '~^(bin|bincr|wire|hr)'" \
	    "$d/zip/summary.txt" &&
	    ok "$lay: summary.txt names the selection" ||
	    bad "$lay: summary.txt lacks the selection"

	# ---- tar.xz to stdout, headers only.
	mkdir -p "$d/hdr"
	bsdtar -xf "$d/hdr.txz" -C "$d/hdr" &&
	    check_eml "$lay tar.xz --headers-only (-o -)" "$d/hdr" \
	    "$SB_DIR/sel.ids" 1

	# ---- mbox.gz: Python's mailbox module reads the same messages.
	zcat "$d/sel.mbox.gz" > "$d/sel.mbox"
	sb_exim -bp > "$SB_DIR/bp-mbox.txt"
	if python3 - "$d/sel.mbox" "$d/zip" "$SB_DIR/sel.ids" "$SB_DIR/bp-mbox.txt" <<'EOF'
import mailbox, re, sys
ids = open(sys.argv[3]).read().split()
# exim -bp: each message's pending recipients at northwind.example, the
# selected customer: the mbox names exactly those, as X-Envelope-To.
pend, cur = {}, None
for line in open(sys.argv[4]):
    m = re.match(r"^\s*\d+[mhd]\s+\S*\s+(\S+)", line)
    if m and not line.startswith("        "):
        cur = m.group(1)
        pend[cur] = []
    elif cur and re.match(r"^ {10}\S", line):
        a = line.strip()
        if a.lower().endswith("@northwind.example"):
            pend[cur].append(a)
mb = mailbox.mbox(sys.argv[1])
keys = list(mb.keys())
assert len(keys) == len(ids), (len(keys), len(ids))
for k, i in zip(keys, ids):
    raw = mb.get_bytes(k)
    env = re.findall(rb"^X-Envelope-To: <([^>]*)>\n", raw, re.M)
    assert sorted(x.decode() for x in env) == sorted(pend[i]), (i, env, pend[i])
    raw = re.sub(rb"\AX-Envelope-To: <[^>]*>\n(X-Envelope-To: <[^>]*>\n)*", b"", raw)
    raw = re.sub(rb"(?m)^>(>*From )", rb"\1", raw)
    eml = open("%s/messages/%s.eml" % (sys.argv[2], i), "rb").read()
    if not eml.endswith(b"\n"):
        eml += b"\n"
    assert raw == eml, i
    assert mb.get_message(k)["Message-ID"] is not None
EOF
	then
		ok "$lay: mbox.gz parses with Python's mailbox: the same $(wc -l < "$SB_DIR/sel.ids") messages, X-Envelope-To the selected recipients (exim -bp)"
	else
		bad "$lay: mbox does not hold the same messages"
	fi

	# ---- --manifest-only; refusing to overwrite; usage errors.
	[ "$(bsdtar -tf "$d/man.tgz" | sort | tr '\n' ' ')" = \
	    "manifest.csv manifest.json summary.txt " ] &&
	    ok "$lay: --manifest-only writes manifest and summary only" ||
	    bad "$lay: --manifest-only members wrong"
	[ $rc1 = 2 ] && [ $rc2 = 0 ] && [ $rc3 = 2 ] &&
	    ok "$lay: existing file kept without --force (2), replaced with it" ||
	    bad "$lay: overwrite/usage statuses $rc1 $rc2 $rc3"
}

# Runs argv with its stdout on a socket; copies what arrives to stdout.
write_mvcsock() {
	cat > "$SB_DIR/mvcsock.py" <<'EOF'
import socket, subprocess, sys
a, b = socket.socketpair()
p = subprocess.Popen(sys.argv[1:], stdout=b, stderr=subprocess.DEVNULL)
b.close()
while True:
    d = a.recv(65536)
    if not d:
        break
    sys.stdout.buffer.write(d)
sys.exit(p.wait())
EOF
}

for layout in flat split; do
	if [ $layout = split ]; then sb_start --split; else sb_start; fi
	# Keep BDAT messages in wire format (CRLF in -D).
	sed -i 's/^queue_only = true$/&\nspool_wireformat = true/' "$SB_CONF"
	write_mvcsock
	if [ $layout = flat ]; then fill 24; else fill 8; fi
	run $layout
	sb_stop
done
t_done
