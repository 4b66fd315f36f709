#!/usr/bin/env bash
# test_customers.sh -- one customer, one truth, against real Exim 4.96:
# per-recipient states and classes, customers from Exim's own
# relay_to_domains (an lsearch file in the sandbox), backscatter, actions
# that touch only the selected customer's recipients (-Mmd for a shared
# delete; a shared bounce skipped), the spool shown must be Exim's, and a
# ticket that holds one customer's addresses only.  Exim is the oracle:
# exim -bp, exim -be match_domain, the main log, what the fake primaries
# received, exim -Mvc.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout bsdtar
. "$here/sandbox.sh"

sb_start
AUD=$SB_DIR/audit.log
mx() { "$MXTOP" -s "$SB_SPOOL" --exim-config "$SB_CONF" --audit "$AUD" "$@"; }

# Primaries: a offline, t tarpits, b and c accept; d is offline while
# mail for it arrives (the callout defers), then rejects every RCPT.
sb_primary a.example offline
sb_primary t.example stall
sb_primary b.example accept
sb_primary c.example accept
sb_primary d.example offline
m0=$(sb_send x0@a.example w0@t.example)
m3=$(sb_send -f spam@junk.invalid unknown-spam@d.example)
m4=$(sb_send ok@c.example unknown-bad@d.example p@a.example)
sb_primary d.example hardreject
sb_queue_run > /dev/null 2>&1
# The bounce of m3 goes to a domain nobody relays for: it freezes.
sb_queue_run > /dev/null 2>&1
sb_exim -bp > "$SB_DIR/bp0.txt"
mb=$(awk '/<> / && /frozen/ { print $3; exit }' "$SB_DIR/bp0.txt")
m1=$(sb_send -s "Quarterly report" x@a.example y@b.example z@c.example)
m5=$(sb_send q@b.example r@c.example)
sb_primary b.example offline
sb_primary c.example offline
[ -n "$m0" ] && [ -n "$m4" ] && [ -n "$m1" ] && [ -n "$mb" ] &&
    ok "sandbox: 5 messages and a frozen bounce ($mb)" ||
    bad "sandbox setup: m0=$m0 m4=$m4 m1=$m1 bounce=$mb"

# ---- Per-recipient states: the main log is the oracle. ----
mx --now "$(sb_now)" list --format json > "$SB_DIR/list.json"
grep -q "$m4 \*\* unknown-bad@d.example" "$SB_LOG/mainlog" &&
    grep -q "$m4 => ok@c.example" "$SB_LOG/mainlog" || bad "no ** / => in the log"
st=$(python3 - "$SB_DIR/list.json" "$m4" <<'EOF'
import json, sys
for m in json.load(open(sys.argv[1])):
    if m["id"] == sys.argv[2]:
        print(" ".join("%s=%s" % (r["address"], r["state"]) for r in m["recipients"]))
EOF
)
[ "$st" = "ok@c.example=delivered unknown-bad@d.example=failed p@a.example=pending" ] &&
    ok "states: delivered, failed (**), pending as the main log says" ||
    bad "states: $st"

# ---- Each domain's messages carry that domain's class. ----
cls() {	# domain id: the class of that message's row under --domain
	mx --now "$(sb_now)" list --domain "$1" --format json | python3 -c '
import json, sys
print([m["class"] for m in json.load(sys.stdin) if m["id"] == sys.argv[1]][0])' "$2"
}
ca=$(cls a.example "$m0"); ct=$(cls t.example "$m0")
[ "$ca" = offline ] && [ "$ct" = tarpit ] &&
    ok "one message, two domains: offline under a.example, tarpit under t.example" ||
    bad "per-domain class: a=$ca t=$ct"

# ---- Customers: mxtop's flag equals Exim's own match_domain. ----
mx --now "$(sb_now)" summary --format json > "$SB_DIR/sum.json"
diffs=0
for dom in $(python3 -c 'import json,sys
print(" ".join(d["domain"] for d in json.load(open(sys.argv[1]))["domains"]))' "$SB_DIR/sum.json"); do
	want=$(sb_exim -be "\${if match_domain{$dom}{+relay_to_domains}{true}{false}}")
	got=$(python3 -c 'import json,sys
print([str(d["customer"]).lower() for d in json.load(open(sys.argv[1]))["domains"] if d["domain"] == sys.argv[2]][0])' "$SB_DIR/sum.json" "$dom")
	[ "$want" = "$got" ] || { diffs=$((diffs + 1)); echo "# $dom: exim $want, mxtop $got"; }
done
[ $diffs = 0 ] && ok "customer flags equal exim -be match_domain{}{+relay_to_domains}" ||
    bad "customer flags: $diffs differ"
bs=$(python3 -c 'import json,sys
d=[d for d in json.load(open(sys.argv[1]))["domains"] if d["domain"]=="junk.invalid"]
print(d[0]["class"], d[0]["customer"]) if d else print("none")' "$SB_DIR/sum.json")
[ "$bs" = "backscatter False" ] && ok "the frozen bounce to junk.invalid: backscatter, not a customer" ||
    bad "junk.invalid: $bs"

# ---- Bounce: Exim gives up whole messages only; shared ones skipped. ----
before=$(sb_exim -bp | md5sum)
mx bounce --domain b.example --yes > "$SB_DIR/bounce.out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q "skipped.*Exim can only bounce whole messages" "$SB_DIR/bounce.out" &&
    [ "$(sb_exim -bp | md5sum)" = "$before" ] &&
    ok "bounce of a shared message: skipped with the reason, exit 1, queue unchanged" ||
    { bad "shared bounce: rc=$rc"; sed 's/^/# /' "$SB_DIR/bounce.out"; }
mx bounce --domain b.example --whole-messages --dry-run > "$SB_DIR/bw.out" 2>&1
grep -q "z@c.example ($m1)" "$SB_DIR/bw.out" && grep -q "r@c.example ($m5)" "$SB_DIR/bw.out" &&
    ok "--whole-messages: the plan names the other recipients that get a bounce" ||
    { bad "whole-messages plan"; sed 's/^/# /' "$SB_DIR/bw.out"; }
mx bounce --id "$m5" --domain b.example --whole-messages --yes > /dev/null 2>&1
sleep 1
! sb_exim -bp | grep -q "$m5" && grep -q "R=$m5" "$SB_LOG/mainlog" &&
    ok "--whole-messages bounced the shared message (a bounce <= <> R=$m5)" ||
    bad "whole-message bounce of $m5"

# ---- Delete: only the selected customer's recipients (-Mmd). ----
mx delete --domain a.example --yes > "$SB_DIR/del.out" 2>&1
rc=$?
bp=$(sb_exim -bp)
echo "$bp" | grep -A4 "$m1" | grep -q "D x@a.example" &&
    echo "$bp" | grep -A4 "$m1" | grep -q "^ *y@b.example" &&
    echo "$bp" | grep -A4 "$m1" | grep -q "^ *z@c.example" &&
    ! echo "$bp" | grep -q "$m4" && [ $rc = 0 ] &&
    ok "delete --domain a.example: x@ marked done in $m1, b's and c's still pending; $m4 (a only) removed" ||
    { bad "delete: rc=$rc"; echo "$bp" | sed 's/^/# /'; sed 's/^/# /' "$SB_DIR/del.out"; }
grep -q "address <x@a.example> marked delivered by root" "$SB_LOG/mainlog" &&
    grep -q "id=$m1 .*recipients=x@a.example .*result=done" "$AUD" &&
    ok "Exim logged the -Mmd; the audit line names the recipient" ||
    bad "no -Mmd trace"
sb_primary b.example accept
sb_primary c.example accept
sb_exim -M "$m1" > /dev/null 2>&1
sleep 1
grep -l "Quarterly report" "$SB_MAIL/b.example"/* > /dev/null 2>&1 &&
    grep -l "Quarterly report" "$SB_MAIL/c.example"/* > /dev/null 2>&1 &&
    ! sb_exim -bp | grep -q "$m1" &&
    ok "after the delete, b's and c's primaries received $m1" ||
    bad "the others were not delivered"

# ---- The spool shown must be the one Exim acts on. ----
cp -a "$SB_SPOOL" "$SB_DIR/copy"
sum0=$(cd "$SB_DIR/copy" && find input -type f | sort | xargs md5sum)
"$MXTOP" -s "$SB_DIR/copy" --exim-config "$SB_CONF" --audit "$AUD" \
    freeze --id "$m0" --yes > "$SB_DIR/copy.out" 2>&1
rc=$?
[ $rc = 2 ] && grep -q "Exim acts on" "$SB_DIR/copy.out" &&
    [ "$(cd "$SB_DIR/copy" && find input -type f | sort | xargs md5sum)" = "$sum0" ] &&
    ! sb_exim -bp | grep "$m0" | grep -q frozen &&
    ok "an action on a copy of the spool is refused (exit 2), nothing changed" ||
    { bad "copy: rc=$rc"; sed 's/^/# /' "$SB_DIR/copy.out"; }

# ---- A ticket for t.example holds t.example's addresses only. ----
mx --now "$(sb_now)" export --domain t.example -o "$SB_DIR/t.tar.gz" > /dev/null 2>&1
mkdir "$SB_DIR/t" && bsdtar -xf "$SB_DIR/t.tar.gz" -C "$SB_DIR/t"
python3 - "$SB_DIR/t" "$m0" <<'EOF' && ok "ticket: only t.example's recipients, header fields, ISO times" || bad "ticket manifest"
import csv, json, os, sys
d, m0 = sys.argv[1], sys.argv[2]
j = json.load(open(os.path.join(d, "manifest.json")))
rows = j["messages"]
assert [m["id"] for m in rows] == [m0], rows
r = rows[0]
assert [x["address"] for x in r["recipients"]] == ["w0@t.example"], r["recipients"]
assert r["other_recipients"] == 1
assert r["subject"] == "Test message" and r["message_id"].startswith("<")
assert r["arrival_utc"].endswith("Z")
for row in csv.DictReader(open(os.path.join(d, "manifest.csv"))):
    for f in ("pending_recipients", "delivered_recipients", "failed_recipients"):
        assert "a.example" not in row[f], row
EOF
sb_exim -Mvc "$m0" > "$SB_DIR/mvc.eml" 2>/dev/null
cmp -s "$SB_DIR/mvc.eml" "$SB_DIR/t/messages/$m0.eml" &&
    ok "ticket: the .eml equals exim -Mvc" || bad ".eml differs from exim -Mvc"

t_done
