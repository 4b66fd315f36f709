#!/usr/bin/env bash
# test_hostile.sh -- mxtop and Exim 4.96 agree on what is corrupt.
#
# A real message is written by the sandbox relay (a tree of delivered
# recipients, options, headers); from its -H come some 1,400 hostile
# variants: truncated at every byte, NUL bytes in each kind of line, huge
# length fields and counts, lines longer than Exim's buffers, numbers in
# forms sscanf() still takes, deep and disordered non-recipients trees,
# recipient suffixes Exim decodes strangely, escape sequences, random
# bytes, and files that are not files (symlinks, a directory, a FIFO).
# Each one ALONE in input/ (beside the real -D): `exim -bp` is the oracle.
#   - Exim says "*** spool format/read error ***" or fails: mxtop flags
#     the row (bad is not null).
#   - Exim lists it: mxtop reads it (bad null), with the same recipients,
#     the same delivered marks and the same frozen state.
#   - Exim crashes (deep trees) or hangs (the FIFO): mxtop flags or
#     reads it, exit 0, valid JSON.  Where Exim's decoding of a recipient
#     suffix reads uninitialized variables (its verdict changes from run
#     to run), mxtop must flag the file.
#   - A symlink: Exim follows it, mxtop never does (its spool reads use
#     O_NOFOLLOW), so mxtop must flag it; a policy, listed as such.
# mxtop must exit 0 with valid JSON every time.  The table of
# disagreements is printed before the checks.
# Needs root (the sandbox), exim4, python3.  About 30 s.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout
. "$here/sandbox.sh"

sb_start
sb_primary northwind.example offline
sb_primary lucerne.example accept
id=$(sb_send -f alice@partners.example -s 'Quarterly report' \
    -H 'X-Note: hostile test' bob@northwind.example carol@northwind.example \
    dave@lucerne.example erin@lucerne.example frank@lucerne.example)
sb_queue_run > /dev/null 2>&1
H=$SB_SPOOL/input/$id-H
if [ -n "$id" ] && [ -s "$H" ] && grep -q '^YY ' "$H"; then
	ok "Exim wrote $id with a tree of delivered recipients"
else
	bad "no message with a non-recipients tree (id '$id')"
	t_done; exit
fi

python3 - "$EXIM" "$SB_CONF" "$SB_SPOOL" "$MXTOP" "$id" \
    > "$SB_DIR/verdicts" 2> "$SB_DIR/hostile.err" <<'PY'
import codecs, json, os, random, re, stat, subprocess, sys

exim, conf, spool, mxtop, ID = sys.argv[1:6]
inp = os.path.join(spool, "input")
H = os.path.join(inp, ID + "-H")
T = open(H, "rb").read()
D = open(os.path.join(inp, ID + "-D"), "rb").read()

# mxtop's JSON shows bytes that are not UTF-8 as U+0080..U+00FF.
codecs.register_error("bytes", lambda e: (
    "".join(chr(b) for b in e.object[e.start:e.end]), e.end))
def text(b):
    return b.decode("utf-8", "bytes")

cases = []		# (name, kind, data)
def add(name, data, kind="file"):
    cases.append((name, kind, data))
def rep(old, new, base=None):
    base = T if base is None else base
    assert old in base, (old, base[:80])
    return base.replace(old, new, 1)
def line(prefix, base=None):
    """The whole line of the template starting with prefix."""
    base = T if base is None else base
    i = base.index(b"\n" + prefix) + 1
    return base[i:base.index(b"\n", i) + 1]

lines = T.split(b"\n")
env_end = T.index(b"\n\n") + 2		# the blank line ends the envelope
first_rcpt = line(b"bob@")
tree1 = line(b"YY ")
opt = line(b"-received_protocol")
hdr = re.search(rb"\n(\d{3,})  Subject: [^\n]*\n", T).group(0)[1:]

# Truncated at every byte (the whole file last: it must read).
for i in range(len(T) + 1):
    add("truncated at %d" % i, T[:i])
# NUL bytes in each kind of line, and crash residue.
add("NUL in line 1", rep(ID.encode() + b"-H\n", ID.encode() + b"-H\0\n"))
add("NUL in the owner line", rep(b"\n<", b"\0junk\n<"))
add("NUL in the sender line", rep(b">\n", b">x\0y\n"))
add("NUL in the time line", rep(b"\n-received_time_usec",
    b"\0\n-received_time_usec"))
add("NUL inside an option line", rep(opt, opt[:8] + b"\0" + opt[8:]))
add("NUL at the end of an option line", rep(opt, opt[:-1] + b"\0\n"))
add("NUL after the dash of an option", rep(opt, b"-\0" + opt[1:]))
add("NUL starting an option line", rep(opt, b"\0" + opt))
add("NUL in the first tree line", rep(tree1, tree1[:6] + b"\0" + tree1[6:]))
t2 = line(b"NN ")
add("NUL in a later tree line", rep(t2, t2[:6] + b"\0" + t2[6:]))
add("NUL in the recipient count", rep(b"\n5\n", b"\n5\0\n"))
add("NUL inside a recipient", rep(first_rcpt, first_rcpt[:5] + b"\0" +
    first_rcpt[5:]))
add("NUL starting a recipient", rep(first_rcpt, b"\0" + first_rcpt))
add("NUL in the blank line", rep(b"\n\n", b"\n\0\n"))
add("NUL inside a header", rep(hdr, hdr[:12] + b"\0" + hdr[13:]))
add("NUL as a header flag", rep(hdr, hdr[:3] + b"\0" + hdr[4:]))
add("NULs at the end (crash residue)", T + b"\0" * 512)
add("NULs instead of the headers", T[:env_end] + b"\0" * 300)
# Numbers and lengths.
n = int(hdr[:3])
add("header length 0 at the end", T + b"0")
add("header 000F at the end", T + b"000F")
add("header length one too long", rep(hdr, b"%03d" % (n + 1) + hdr[3:]))
add("header length one too short", rep(hdr, b"%03d" % (n - 1) + hdr[3:]))
for v in (b"2147483647", b"4294967295", b"4294967296", b"99999999999999999999",
          b"%d" % (4294967296 + n)):
    add("header length " + v.decode(), rep(hdr, v + hdr[3:]))
add("header: no separator space", rep(hdr, hdr[:4] + hdr[5:]))
add("header: three spaces", rep(hdr, hdr[:4] + b"  " + hdr[4:]))
add("header: newline as the flag", rep(hdr, hdr[:3] + b"\n" + hdr[5:]))
add("header: a sign", T + b"+05  abcd\n")
add("header: a space in the length", rep(hdr, hdr[:1] + b" " + hdr[1:]))
for v in (b"0", b"16384", b"16385", b"-1", b"-5", b" +5 7", b"5abc",
          b"4294967301", b"4294967296", b"99999999999", b"", b"x"):
    add("recipient count '%s'" % v.decode(), rep(b"\n5\n", b"\n" + v + b"\n"))
many = b"".join(b"u%d@northwind.example\n" % i for i in range(16385))
add("16384 recipients", rep(T[T.index(b"\n5\n") + 1:env_end - 1],
    b"16384\n" + many[:many.index(b"u16384@")]))
add("16385 recipients", rep(T[T.index(b"\n5\n") + 1:env_end - 1],
    b"16385\n" + many))
add("count 9999, five recipients", rep(b"\n5\n", b"\n9999\n"))
acl = b"-aclm _x 5\nhello\n"
def with_opt(o):
    return rep(opt, opt + o)
add("ACL variable", with_opt(acl))
add("ACL variable spanning lines", with_opt(b"-aclc _y 12\n-frozen 1\nXX\n"))
for v in (b"2147483647", b"4294967295", b"-5", b"6", b"4", b"5abc", b" 5",
          b"", b"x"):
    add("ACL length '%s'" % v.decode(), with_opt(b"-aclm _x " + v +
        b"\nhello\n"))
add("ACL value at the end of the file", T[:T.index(opt)] + acl[:-3])
add("ACL name with a space", with_opt(b"-aclm _x y 5\nhello\n"))
add("ACL without a length", with_opt(b"-aclm _x\nhello\n"))
add("old ACL variable", with_opt(b"-acl 12 5\nhello\n"))
add("old ACL index 25", with_opt(b"-acl 25 5\nhello\n"))
add("old ACL length 20000", with_opt(b"-acl 1 20000\nhello\n"))
# Options as Exim matches them.
for o in (b"-frozen 1796231900", b"-frozen", b"-frozen x", b"-frozen   17",
          b"--frozen 17", b"-frozenabc 5", b"-frozen 17\0xx", b"-frozen\0 17",
          b"-manual_thaw", b"-manual_thawx", b"-deliver_firsttime",
          b"-localerror", b"-local", b"-", b"--", b"-x_unknown value",
          b"--(lsearch)helo_name x", b"-(lsearch)helo_name x",
          b"--(cdb)x_unknown 1", b"--(bogus)helo_name x", b"--()helo_name x",
          b"--(lsearch )helo_name x", b"--(LSEARCH)helo_name x",
          b"--(lsearch", b"--(lsearch)", b"--(lsearch)(cdb)x",
          b"--(lsearch)frozen 17"):
    add("option %r" % o.decode("latin-1"), with_opt(o + b"\n"))
# Fixed lines as fgets() and sscanf() read them.
owner = lines[1] + b"\n"
for o in (b"root 0 0 \t\r", b"root 0-1 0-5", b" 0 0", b"0 0", b"root 0 0-",
          b"root - 0", b"root -5 -7", b"root 0  0", b"root 0 x0",
          b"user with spaces 0 0"):
    add("owner line %r" % o.decode(), rep(owner, o + b"\n"))
sender = lines[2] + b"\n"
for s in (b"x" + lines[2], lines[2] + b"\r", b"<>", b"<", b"<a>b<c>",
          lines[2] + b" "):
    add("sender line %r" % s.decode(), rep(sender, s + b"\n"))
tline = lines[3] + b"\n"
t0 = lines[3].split()[0]
for s in (t0 + b" 0xyz", b" " + t0 + b"\t\t3", t0 + b" -3", b"+" + t0 + b" +0",
          t0, t0 + b" ", b"99999999999999999999 0", b"x 0",
          b"-99999999999999999999 0"):
    add("time line %r" % s.decode(), rep(tline, s + b"\n"))
add("first line: wrong id", rep(ID.encode() + b"-H\n",
    (ID[:-1] + ("a" if ID[-1] != "a" else "b")).encode() + b"-H\n"))
add("first line: junk after -H", rep(ID.encode() + b"-H\n",
    ID.encode() + b"-Hx\n"))
# Lines longer than Exim's buffers (16 KiB for fgets(), 64 KiB grown).
def pad(n):
    return b"x" * n
add("owner line of 16383 bytes", rep(owner, pad(16383 - 5) + b" 0 0\n"))
add("owner line of 16384 bytes", rep(owner, pad(16384 - 5) + b" 0 0\n"))
add("sender line of 20000 bytes", rep(sender, b"<" + pad(19997) + b">\n"))
for L in (16383, 16384, 40000, 65535, 65536, 70000):
    add("option line of %d bytes" % L, with_opt(b"-x_future " +
        pad(L - 11) + b"\n"))
    add("recipient line of %d bytes" % L, rep(first_rcpt, pad(L - 22) +
        b"@northwind.example\n"))
add("first tree line of 20000 bytes", rep(tree1, tree1[:-1] + pad(20000) +
    b"\n"))
add("later tree line of 20000 bytes", rep(t2, t2[:-1] + pad(20000) + b"\n"))
add("later tree line of 20000 bytes after a 30000-byte option",
    rep(t2, t2[:-1] + pad(20000) + b"\n", with_opt(b"-x_future " +
    pad(30000) + b"\n")))
add("count line of 20000 bytes", rep(b"\n5\n", b"\n5" + b" " * 20000 + b"\n"))
# The non-recipients tree, read as Exim searches it.
def tree(body):
    s = T.index(tree1)
    return T[:s] + body + T[T.index(b"\n5\n") + 1:]
rc = [l + b"\n" for l in lines if l.endswith(b"@lucerne.example")
      and not l[2:3] == b" "]
add("empty tree", tree(b"XX\n"))
add("tree: XX and a space", tree(b"XX \n"))
add("tree: flags other than Y/N", tree(b"ab " + rc[0]))
add("tree: no space after the flags", tree(b"NNx" + rc[0]))
add("tree: a name of one character", tree(b"NN d\n"))
add("tree: a name of nothing", tree(b"NN \n"))
add("tree: entries out of order", tree(b"NY zzz@lucerne.example\nNN " + rc[0]))
add("tree: entries in order", tree(b"YN zzz@lucerne.example\nNN " + rc[0]))
add("tree: children missing", tree(b"YY " + rc[0]))
def chain(n, right):
    # Each node the parent of the next; the last is a recipient.
    f = b"NY" if right else b"YN"
    return tree(b"".join(f + b" x%06d@deep.example\n" % (i if right
        else n - i) for i in range(n - 1)) + b"NN " + rc[0])
add("tree: 20000 deep, in order", chain(20000, False))
add("tree: 20000 deep, out of order", chain(20000, True))
add("tree: 200000 deep", chain(200000, False))
add("tree: 200000 deep, right", chain(200000, True))
# Recipient suffixes (section 3.4) and what Exim makes of odd ones.
for r in (b"bob@northwind.example rfc822;bob@northwind.example 28,12  0,-1#3",
          b"bob@northwind.example err@x 5,0#1",
          b"bob@northwind.example err@x 500,0#1",
          b"bob@northwind.example o 900,12  0,-1#3",
          b"bob@northwind.example #4", b"bob@northwind.example x#0",
          b"bob@northwind.exampleerr@x 5,0#1",
          b"bob@northwind.example err@x -5,0#1",
          b"bob@northwind.example 1,2,3", b"bob@northwind.example1,2,3",
          b"bob@northwind.example 7", b"bob@northwind.example ",
          b"12345", b"b", b"", b" ", b"bob@northwind.example\r",
          b"\"a b\"@northwind.example"):
    add("recipient %r" % r.decode(), rep(first_rcpt, r + b"\n"))
# Here Exim's decoding reads variables it never set: it crashes or lists
# garbage, run by run.  mxtop flags them; any Exim verdict is accepted.
for r in (b"bob@northwind.example #3", b"bob@northwind.example#",
          b"bob@northwind.example ,#1"):
    add("recipient %r" % r.decode(), rep(first_rcpt, r + b"\n"), "file-ub")
# Escape sequences and 8-bit bytes: data, shown escaped.
esc = b"\x1b]0;pwned\x07\x1b[31m"
add("escape sequences in the sender", rep(sender, b"<al" + esc +
    b"ice@partners.example>\n"))
add("escape sequences in a recipient", rep(first_rcpt, b"bob" + esc +
    b"@northwind.example\n"))
add("escape sequences in an option", with_opt(b"--helo_name " + esc + b"\n"))
subj = b"Subject: " + esc + b"red\xff\xfe\n"
add("escape sequences in a header", rep(hdr, b"%03d  " % len(subj) + subj))
add("8-bit bytes in a recipient", rep(first_rcpt,
    b"b\xe9\x80b@northwind.example\n"))
# Random bytes, and the template with random bytes after line 4.
rnd = random.Random(4711)
for k in range(8):
    add("random bytes %d" % k, bytes(rnd.randrange(256) for _ in range(600)))
head4 = b"\n".join(lines[:4]) + b"\n"
for k in range(8):
    add("random after line 4, %d" % k, head4 + bytes(rnd.randrange(256)
        for _ in range(400)))
for k in range(24):
    b = bytearray(T)
    for _ in range(3):
        # Not '#': that can reach the undefined decoding above.
        b[rnd.randrange(len(head4), len(b))] = rnd.choice(
            [c for c in range(256) if c != ord("#")])
    add("3 random bytes changed, %d" % k, bytes(b))
add("empty file", b"")
# Not files.
add("symlink to a copy of the -H", T, "symlink")
add("dangling symlink", b"", "dangling")
add("symlink loop", b"", "loop")
add("directory named like the -H", b"", "dir")
add("FIFO named like the -H", b"", "fifo")

def place(kind, data):
    if os.path.lexists(H):
        if stat.S_ISDIR(os.lstat(H).st_mode):
            os.rmdir(H)
        else:
            os.unlink(H)
    elsewhere = os.path.join(spool, "..", "copy-H")
    if kind in ("file", "file-ub"):
        with open(H, "wb") as f:
            f.write(data)
    elif kind == "symlink":
        with open(elsewhere, "wb") as f:
            f.write(data)
        os.symlink(os.path.abspath(elsewhere), H)
    elif kind == "dangling":
        os.symlink("/nonexistent/mxtop-hostile", H)
    elif kind == "loop":
        os.symlink(H, H)
    elif kind == "dir":
        os.mkdir(H)
    elif kind == "fifo":
        os.mkfifo(H)

head = re.compile(r"^\s*-?\d+[mhd] +(\S*) " + re.escape(ID) +
                  r"(?:-H)?(?: <(.*)>)?( \(.*\))?( \*\*\* frozen \*\*\*)?$")
def exim_bp(kind):
    try:
        r = subprocess.run(["timeout", "3" if kind == "fifo" else "30",
                            exim, "-C", conf, "-bp"], capture_output=True)
    except OSError as e:
        return "refused", str(e), None
    out = r.stdout.decode("latin-1")
    if r.returncode < 0 or r.returncode == 124:
        return "crashed", "signal %d" % -r.returncode if r.returncode < 0 \
            else "hung (killed after 3 s)", None
    if r.returncode != 0:
        return "refused", "exit %d: %s" % (r.returncode,
            r.stderr.decode("latin-1").strip()[:60]), None
    if "*** spool" in out:
        return "refused", re.search(r"\*\*\* spool [^*]*\*\*\*",
                                    out).group(0), None
    if not out.strip():
        return "not listed", "", None
    ls = r.stdout.split(b"\n")
    m = head.match(ls[0].decode("latin-1"))
    if not m:
        return "refused", "unparsed: %r" % ls[0][:60], None
    rcpts = []
    for l in ls[1:]:
        if l.startswith(b"        D "):
            rcpts.append((text(l[10:]), "delivered"))
        elif l.startswith(b"          "):
            rcpts.append((text(l[10:]), "pending"))
        elif l:
            return "refused", "unparsed: %r" % l[:60], None
    return "listed", "", {"rcpts": rcpts, "frozen": bool(m.group(4))}

def mxtop_list():
    r = subprocess.run(["timeout", "30", mxtop, "-s", spool, "list",
                        "--format", "json"], capture_output=True)
    if r.returncode != 0:
        return None, "exit %d: %s" % (r.returncode,
                                      r.stderr.decode("latin-1")[-200:])
    try:
        j = json.loads(r.stdout)
    except ValueError as e:
        return None, "invalid JSON: %s" % e
    rows = [m for m in j if m.get("id") == ID]
    return (rows[0] if rows else {}), ""

dis = []
counts = {}
seen = {}		# name -> (exim verdict, mxtop row)
for name, kind, data in cases:
    place(kind, data)
    ev, edetail, eseen = exim_bp(kind)
    row, merr = mxtop_list()
    counts[ev] = counts.get(ev, 0) + 1
    if row is None:
        dis.append((name, ev, "FAILED: " + merr, ""))
        continue
    seen[name] = (ev, row)
    mbad = row.get("bad")
    mv = "(no row)" if not row else "flagged" if mbad is not None else "read"
    why = ""
    if kind in ("symlink", "dangling", "loop"):
        if mv != "flagged":
            why = "a symlink must be flagged (mxtop never follows one)"
        elif ev == "listed" or ev == "not listed":
            counts["policy: symlink flagged"] = counts.get(
                "policy: symlink flagged", 0) + 1
    elif kind == "file-ub":
        if mv != "flagged":
            why = "Exim's reading is undefined here: mxtop must flag it"
    elif ev == "refused":
        if mv != "flagged":
            why = "Exim refuses it"
    elif ev == "listed":
        if mv != "read":
            why = "Exim reads it"
        else:
            got = [(r["address"], r["state"]) for r in row["recipients"]]
            if got != eseen["rcpts"]:
                why = "recipients differ: exim %s, mxtop %s" % (
                    eseen["rcpts"][:3], got[:3])
            elif bool(row["frozen"]) != eseen["frozen"]:
                why = "frozen: exim %s, mxtop %s" % (eseen["frozen"],
                                                     row["frozen"])
    elif ev == "not listed":
        pass			# vanished for Exim: a row or none
    # "crashed": flagged or read is fine, the JSON was valid.
    if why:
        dis.append((name, ev + (" (" + edetail + ")" if edetail else ""),
                    mv + (" (" + mbad + ")" if mbad else ""), why))
place("file", T)

print("TABLE %d hostile files: %s" % (len(cases), ", ".join(
    "%s %d" % kv for kv in sorted(counts.items()))))
if dis:
    print("TABLE disagreements (file | exim -bp | mxtop | why):")
    for d in dis:
        print("TABLE   %s | %s | %s | %s" % d)
else:
    print("TABLE disagreements: none")
for d in dis:
    print("BAD %s: %s" % (d[0], d[3]))
# The cases the issue names, one line each.
def check(name, want_exim, want):
    ev, row = seen.get(name, (None, None))
    got = None if not row else "flagged" if row.get("bad") is not None \
        else "read"
    print("%s %s: exim -bp %s, mxtop %s" % ("OK" if ev in want_exim and
          got == want else "BAD", name, ev, got))
check("NUL inside an option line", ("refused",), "flagged")
check("NUL inside a recipient", ("refused",), "flagged")
check("NUL inside a header", ("refused",), "flagged")
check("header length 99999999999999999999", ("refused",), "flagged")
check("16385 recipients", ("refused",), "flagged")
check("16384 recipients", ("listed",), "read")
check("tree: 200000 deep", ("crashed",), "read")
check("FIFO named like the -H", ("crashed",), "flagged")
check("directory named like the -H", ("refused",), "flagged")
check("empty file", ("refused",), "flagged")
check("symlink to a copy of the -H", ("listed",), "flagged")
ev, row = seen.get("tree: 200000 deep", (None, None))
d = [r["state"] for r in (row or {}).get("recipients", [])
     if r["address"] == text(rc[0][:-1])]
print("%s 200000-deep ordered tree: its last entry is delivered (%s)" % (
      "OK" if d == ["delivered"] else "BAD", d))
print("OK %d files, each alone in input/; mxtop exited 0 with valid JSON on "
      "all but %d" % (len(cases), sum(1 for d in dis if
                                       d[2].startswith("FAILED"))))
print("COUNT %d %d %d" % (len(cases), len(dis), counts.get("crashed", 0)))
PY
rc=$?
grep '^TABLE' "$SB_DIR/verdicts" | sed 's/^TABLE /# /'
if [ $rc != 0 ] || ! grep -q '^COUNT ' "$SB_DIR/verdicts"; then
	bad "the comparison did not run (rc=$rc)"
	sed 's/^/# /' "$SB_DIR/hostile.err" | tail -20
	t_done; exit
fi
while IFS= read -r l; do
	case $l in
	"OK "*) ok "${l#OK }" ;;
	"BAD "*) bad "${l#BAD }" ;;
	esac
done < "$SB_DIR/verdicts"
read -r _ ncase ndis ncrash < <(grep '^COUNT ' "$SB_DIR/verdicts")
[ "$ncase" -gt 1000 ] && ok "$ncase hostile files compared" ||
    bad "only $ncase hostile files"
[ "$ndis" = 0 ] && ok "mxtop and Exim agree on every one" ||
    bad "$ndis disagreements with Exim"
[ "$ncrash" -ge 2 ] && ok "Exim crashed or hung on $ncrash files" ||
    bad "Exim crashed on $ncrash files, expected at least the deep trees"

sb_stop
t_done
