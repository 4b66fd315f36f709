#!/bin/bash
# make-sample-spool.sh -- (re)writes sample-spool/ from a real Exim run.
#
#	bash tests/exim/make-sample-spool.sh      (as root, after make tools)
#
# Story: relay.test is the backup MX of ten customer domains, each of whose
# primaries misbehaves in its own way (see tests/exim/README), from Monday
# evening to Friday morning.  Exim runs under libfaketime (package
# faketime), one clock offset per phase, so ages spread over four days.
# Needs: exim4-daemon-light, faketime, build/tools/fakesmtp.  Takes a few
# minutes.  Output: sample-spool/{input,msglog,log/mainlog,log/mainlog.1.gz,
# now}; the previous sample-spool/ is replaced.
set -u
cd "$(dirname "$0")/../.."
TOP=$PWD
OUT=$TOP/sample-spool

# Exim re-executes itself as Debian-exim to send bounces; for a setuid
# program the dynamic loader honours LD_PRELOAD only for a library named
# without a slash, in a system directory, with its set-user-ID bit set.
# So the faketime library is copied there for the run and removed after.
FT_SRC=/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1
FT_NAME=libmxtop-faketime.so.1
FT_LIB=/usr/lib/x86_64-linux-gnu/$FT_NAME
[ -r "$FT_SRC" ] || { echo "needs libfaketime: apt-get install faketime" >&2; exit 1; }

# connection_max_messages = 1: a continued connection (exim -MC, exec as
# Debian-exim) would lose the faked clock.
export SB_TIMEOUT=1s SB_CALLOUT=1s SB_LIFETIME=1200 SB_TMP=/var/tmp/mxtop-sample SB_CONNMAX=1
export SB_RETRY="adatum.example      *   F,2d,10s"
export SB_FAKETIME_LIB=$FT_NAME
. "$TOP/tests/exim/sandbox.sh"

cleanup() {
	sb_stop
	rm -f "$FT_LIB"
}
install -m 4644 "$FT_SRC" "$FT_LIB"
sb_start
trap cleanup EXIT

# Story clock: Monday 2025-11-03 .. Friday 2025-11-07 (UTC).
T0=$(date -u -d '2025-11-03 00:00:00' +%s)
at() {	# at DAY HH:MM -- move the sandbox clock there (DAY 0 = Monday)
	local h=${2%:*} m=${2#*:}
	SB_OFFSET=$(( T0 + $1 * 86400 + 10#$h * 3600 + 10#$m * 60 - $(date +%s) ))
	echo "== day $1 $2" >&2
}

RANDOM=4711
NAMES=(alice bob carol dave erin frank grace heidi ivan judy mallory niaj
    olivia peggy rupert sybil trent victor walter yvonne)
SENDERS=(orders@partners.example news@partners.example billing@vendor.example
    jo@vendor.example hr@agency.example ceo@agency.example
    support@saas.example noreply@saas.example)
CLIENTS=("192.0.2.25 mail.partners.example" "198.51.100.7 mx.vendor.example"
    "203.0.113.40 smtp.agency.example" "192.0.2.99 out.saas.example")
SUBJECTS=("Invoice 2025-1103" "Re: meeting notes" "Quarterly report"
    "Your order has shipped" "Fwd: contract draft" "Newsletter November"
    "Password reset" "Re: Re: budget" "Delivery schedule" "Hello")

pick() { local -n a=$1; echo "${a[RANDOM % ${#a[@]}]}"; }
user() { pick NAMES; }

# send OPTS... RCPTS: one message from a random client, in the background,
# at most $JOBS at a time.
JOBS=12
send() {
	local c
	c=$(pick CLIENTS)
	while [ "$(jobs -rp | wc -l)" -ge $JOBS ]; do wait -n || true; done
	sb_send -c "${c% *}" -h "${c#* }" "$@" > /dev/null 2>&1 &
}
drain() { wait || true; }

# mail DOMAIN N [rcpt-kind]: N messages with random senders and subjects.
mail() {
	local dom=$1 n=$2 kind=${3-} i r s
	for ((i = 0; i < n; i++)); do
		r=$(user)@$dom
		case $kind in
		junk) [ $((RANDOM % 3)) = 0 ] && r=unknown-$(user)$RANDOM@$dom
		      [ $((RANDOM % 5)) = 0 ] && r=junk$RANDOM@$dom ;;
		esac
		s=$(pick SENDERS)
		send -f "$s" -s "$(pick SUBJECTS)" -B $(( (RANDOM % 8) * 400 )) "$r"
	done
}

# A few messages of every special kind, spread over the phases.
specials() {
	local dom=$1
	# Multi-recipient: some recipients get delivered, others stay.
	send -f "$(pick SENDERS)" -s "Team update" \
	    "$(user)@lucerne.example" "$(user)@$dom" "$(user)@$dom"
	send -f "$(pick SENDERS)" -s "Joint venture: next steps" \
	    "$(user)@lucerne.example" "$(user)@woodgrove.example" \
	    "$(user)@$dom" "$(user)@northwind.example"
	# A bounce from the Internet to a customer user.
	send -f '' -s "Undelivered Mail Returned to Sender" \
	    -H "Auto-Submitted: auto-replied" "$(user)@$dom"
	# Long folded headers, and a sender header the DATA ACL removes
	# (kept as a "*"-flagged header in -H).
	send -f "$(pick SENDERS)" \
	    -s "Re: Fwd: Re: the very long thread about the migration of the mail platform to the new datacentre and what it means for everyone" \
	    -H "X-Relay-Spam-Score: -100 (trust me)" \
	    -H "$(printf 'References: <a1.%s@vendor.example>\r\n\t<a2.%s@vendor.example>\r\n\t<a3.%s@vendor.example>\r\n\t<a4.%s@vendor.example>\r\n\t<a5.%s@vendor.example>' $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM)" \
	    -H "$(printf 'X-Mailer-Info: a long header that continues\r\n over several lines, folded with spaces\r\n\tand with tabs, like real mailers do it')" \
	    "$(user)@$dom"
}

# --- Monday evening: all is well except the usual suspects -------------------
at 0 21:40
sb_primary partners.example accept
sb_primary vendor.example accept
sb_primary agency.example accept
sb_primary saas.example accept
sb_primary lucerne.example accept
sb_primary northwind.example accept
sb_primary contoso.example stall
sb_primary fabrikam.example stall-rcpt
sb_primary tailspin.example ratelimit
sb_primary adatum.example softreject
sb_primary litware.example offline
sb_primary wingtip.example offline
sb_primary proseware.example self
sb_primary woodgrove.example accept

phase() {	# phase: one round of arrivals with the given weights
	mail northwind.example "$1"
	mail contoso.example "$2"
	mail fabrikam.example "$3"
	mail tailspin.example "$4"
	mail adatum.example "$5" junk
	mail litware.example "$6"
	mail wingtip.example "$7" junk
	mail proseware.example "$8"
	mail lucerne.example "$9"
	drain
}
qrun() {	# qrun [-f]: eight queue runners at once (the tarpits are slow)
	local i
	for i in 1 2 3 4 5 6 7 8; do sb_queue_run "$@" > /dev/null 2>&1 & done
	wait || true
}

phase 2 2 2 2 3 2 3 2 4
specials northwind.example; drain
qrun -f

# --- Monday night: northwind's primary goes away ---------------------------
at 0 23:10
sb_primary northwind.example offline
phase 6 2 2 2 3 2 3 1 3
send -f "$(pick SENDERS)" -s $'R\xc3\xa9union du comit\xc3\xa9 \xe0 Z\xfcrich' "$(user)@northwind.example"
send -f "$(pick SENDERS)" -s $'\e[31mURGENT\e[0m invoice overdue \e]0;pwned\a' "$(user)@contoso.example"
drain
qrun -f

for slot in "1 03:00" "1 15:00"; do
	at $slot
	phase 6 3 3 3 4 3 4 2 4
	specials contoso.example
	specials adatum.example
	drain
	qrun -f
done
qrun

# Log rotation (as exicyclog does it: rename; Exim reopens).
mv "$SB_LOG/mainlog" "$SB_LOG/mainlog.1"

at 2 02:00
phase 5 2 2 2 3 2 3 1 3
specials fabrikam.example; drain
qrun -f

# --- Wednesday: litware comes back, but its appliance lists the relay -------
at 2 11:00
sb_primary litware.example blocked -c 451
phase 5 2 2 3 3 2 3 1 3
specials tailspin.example; drain
qrun -f
qrun

at 2 20:00
phase 4 2 2 2 3 2 3 1 3
send -f '' -s "Delivery Status Notification (Failure)" "$(user)@proseware.example"
specials litware.example; drain
qrun -f

# --- Thursday: wingtip returns and rejects the junk the callouts let in ----
at 3 10:00
sb_primary wingtip.example hardreject
phase 4 2 2 2 3 2 4 1 3
specials wingtip.example
# woodgrove aliased its own name to the relay: a mail loop.
for i in 1 2 3; do
	send -f "$(pick SENDERS)" -R 34 -s "Re: loop $i" "$(user)@woodgrove.example"
done
drain
qrun -f

at 3 16:00
phase 4 2 2 2 2 2 2 1 3
for i in 1 2; do
	send -f "$(user)@northwind.example" -R 33 -s "Out of office" "$(user)@woodgrove.example"
	send -f '' -R 36 -s "Mail delivery failed" "postmaster@woodgrove.example"
done
drain
qrun -f
qrun

# --- Friday: adatum's junk times out; litware now says 550 -----------------
at 4 01:00
phase 4 2 2 2 2 2 2 1 2
drain
qrun -f

at 4 07:30
phase 3 2 2 2 2 2 2 1 2
drain
qrun -f
sb_exim -Mf "$(sb_exim -bpr | awk '/^ *[0-9]+[mhd] / { id = $3 } /tailspin/ && id { print id; exit }')" || true

at 4 08:40
sb_primary litware.example blocked
# The operator flushes a few litware messages by hand: they bounce.
for id in $(sb_exim -bpr | awk '/^ *[0-9]+[mhd] / { id = $3 } /litware/ && id { print id; id = "" }' | head -4); do
	sb_exim -M "$id" > /dev/null 2>&1 || true
done
# New litware mail is now refused at RCPT time by the callout (550, then
# the cached failure).
for i in 1 2 3 4; do send -f "$(pick SENDERS)" "$(user)@litware.example"; done
drain

# --- last arrivals, not yet tried ------------------------------------------
at 4 08:55
phase 2 1 1 1 2 0 1 1 2
for i in 1 2; do
	send -f "$(pick SENDERS)" -R 35 -s "Re: loop again" "$(user)@woodgrove.example"
done
drain
NOW=$(( $(sb_now) + 240 ))

# --- copy the result out ---------------------------------------------------
sb_exim -bpc > /dev/null
rm -rf "$OUT"
mkdir -p "$OUT/log"
cp -a "$SB_SPOOL/input" "$SB_SPOOL/msglog" "$OUT/"
cp "$SB_LOG/mainlog" "$OUT/log/mainlog"
gzip -9n -c "$SB_LOG/mainlog.1" > "$OUT/log/mainlog.1.gz"
echo "$NOW" > "$OUT/now"
chown -R root:root "$OUT"
chmod -R u+rwX,go+rX,go-w "$OUT"
find "$OUT" -type f -exec chmod 644 {} +
echo "sample-spool: $(ls "$OUT/input" | grep -c -- '-H$') messages," \
    "now=$NOW ($(date -u -d "@$NOW")), $(du -sh "$OUT" | cut -f1)" >&2
