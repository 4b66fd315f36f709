#!/usr/bin/env bash
# test_diagnose.sh -- mxtop diagnose against what real Exim 4.96 logged.
#
# One fake primary per behaviour (nothing listening; TCP then silence;
# silence after RCPT; 421; 450 for unknown users; 550 RBL; 550 5.1.1;
# accepts), plus the relay as its own MX and a loop.  After queue runs
# with short timeouts, `mxtop diagnose --format json` must name each
# domain's class, and its callout counts must equal the callout lines
# Exim wrote, counted here from the log.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout
export SB_TIMEOUT=2s SB_CALLOUT=1s
# No set -e/-u: the sandbox library is not written for them.
. "$here/sandbox.sh"

sb_start
# While the primaries are down every callout defers and the relay
# queues (defer_ok), junk included: that is how a backup MX fills up.
for d in northwind contoso fabrikam tailspin adatum litware wingtip \
    woodgrove lucerne; do
	sb_primary $d.example offline
done
sb_primary proseware.example self
for d in northwind contoso fabrikam tailspin litware proseware lucerne; do
	sb_send_n 2 -f "news%n@partners.example" "user%n@$d.example" > /dev/null
done
sb_send_n 2 -f "ads%n@spam.example" "unknown%n@adatum.example" > /dev/null
sb_send_n 2 -f "ads%n@spam.example" "junk%n@wingtip.example" > /dev/null
sb_send_n 2 -f "hr%n@agency.example" -R 31 "staff%n@woodgrove.example" \
    > /dev/null
# Now each primary shows its behaviour.
sb_primary contoso.example stall
sb_primary fabrikam.example stall-rcpt
sb_primary tailspin.example ratelimit
sb_primary adatum.example softreject
sb_primary litware.example blocked
sb_primary wingtip.example hardreject
sb_primary woodgrove.example accept
sb_primary lucerne.example accept
# A callout the primary answers with 5xx, and the cached answer.
sb_send -f spam@spam.example junk9@wingtip.example > /dev/null
sb_send -f spam@spam.example junk9@wingtip.example > /dev/null
sb_queue_run -f > /dev/null 2>&1
sleep 11		# past the 10 s retry interval of the sandbox's rules
sb_queue_run -f > /dev/null 2>&1

log=$SB_LOG/mainlog
now=$(sb_now)
declare -A want=(
	[northwind.example]=offline [contoso.example]=tarpit
	[fabrikam.example]=tarpit [tailspin.example]=ratelimit
	[adatum.example]=softreject [litware.example]=blocked
	[wingtip.example]=hardreject [proseware.example]=dns
	[woodgrove.example]=loop [lucerne.example]=null
)
tot_def=0 tot_rej=0 tot_cache=0
for d in "${!want[@]}"; do
	"$MXTOP" -s "$SB_SPOOL" --now "$now" diagnose "$d" --format json \
	    > "$SB_DIR/diag.json" || { bad "$d: diagnose failed"; continue; }
	read -r cls def rej cache lost < <(python3 -c '
import json, sys
j = json.load(open(sys.argv[1]))
d = j["domains"][0]
c = d["callouts"]
u = j["callouts_unattributed"]
print(d["class"] or "null", c["deferred"], c["rejected"], c["cached"],
      "%d/%d/%d" % (u["deferred"], u["rejected"], u["cached"]))
' "$SB_DIR/diag.json")
	if [ "$cls" = "${want[$d]}" ]; then
		ok "$d: class $cls"
	else
		bad "$d: class $cls, wanted ${want[$d]}"
		grep "$d" "$log" | grep -v ' <= ' | tail -3 | sed 's/^/# /'
	fi
	tot_def=$((tot_def + def))
	tot_rej=$((tot_rej + rej))
	tot_cache=$((tot_cache + cache))
done
# Callouts that name no recipient and went to an address no delivery
# line shows (here: woodgrove's primary, whose mail loops before any
# connection) belong to no domain; diagnose reports them apart.
IFS=/ read -r l_def l_rej l_cache <<< "$lost"
tot_def=$((tot_def + l_def))
tot_rej=$((tot_rej + l_rej))
tot_cache=$((tot_cache + l_cache))
# The callout lines Exim wrote.
n_def=$(grep -c 'Could not complete recipient verify callout' "$log")
n_rej=$(grep 'rejected RCPT' "$log" | grep -c \
    'SMTP error from remote mail server after RCPT TO')
n_cache=$(grep -c 'Previous (cached) callout verification failure' "$log")
if [ "$tot_def/$tot_rej/$tot_cache" = "$n_def/$n_rej/$n_cache" ] &&
    [ "$n_def" -gt 0 ] && [ "$n_rej" -gt 0 ]; then
	ok "callouts: $n_def could not complete, $n_rej rejected, $n_cache cached, as in the log"
else
	bad "callouts: mxtop $tot_def/$tot_rej/$tot_cache, log $n_def/$n_rej/$n_cache"
fi
# The summary carries the same diagnosis.
"$MXTOP" -s "$SB_SPOOL" --now "$now" summary --format json > "$SB_DIR/sum.json"
if python3 -c '
import json, sys
s = {d["domain"]: d["class"] for d in json.load(open(sys.argv[1]))["domains"]}
assert s.get("contoso.example") == "tarpit", s
assert s.get("northwind.example") == "offline", s
' "$SB_DIR/sum.json"; then ok "summary --format json has the classes"
else bad "summary classes"
fi
# Without -l the main log is where Exim's log_file_path says: a config
# copy that logs elsewhere, holding the first 10 lines of the log.
mkdir -p "$SB_DIR/logs2"
head -n 10 "$log" > "$SB_DIR/logs2/mainlog"
sed "s|^log_file_path = .*|log_file_path = $SB_DIR/logs2/%slog|" "$SB_CONF" \
    > "$SB_DIR/etc/other.conf"
"$MXTOP" -s "$SB_SPOOL" --exim "$EXIM" --exim-config "$SB_DIR/etc/other.conf" \
    diagnose --format json > "$SB_DIR/other.json"
if python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["source"] == "mainlog" and d["log_lines"] == 10, d["log_lines"]
' "$SB_DIR/other.json"; then ok "the main log is found through exim -bP log_file_path"
else bad "log_file_path discovery"
fi
t_done
