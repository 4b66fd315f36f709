#!/usr/bin/env bash
# test_spool.sh -- mxtop list/summary against real Exim 4.96 on the same
# spool, flat and split.  Exim's own output is the oracle: `exim -bp` for
# ids, senders, pending/delivered recipients, frozen flags and sizes, and
# `exim -bp | exiqsumm` for per-domain counts of pending recipients.
# No set -e/-u: the sandbox library is not written for them.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need exim4 python3 timeout
. "$here/sandbox.sh"

# Builds a queue of at least 200 messages with every feature the issue
# names, then compares.
fill() {
	local i id ids=() frz=0
	sb_primary northwind.example offline
	sb_primary contoso.example offline
	sb_primary adatum.example offline
	sb_primary lucerne.example accept
	# Plain messages, one recipient.
	sb_send_n 60 -f 'news%n@partners.example' 'user%n@northwind.example' \
	    > /dev/null
	# Several recipients across domains; lucerne's get delivered below,
	# which fills the non-recipients tree.
	sb_send_n 50 -f 'orders@vendor.example' 'a%n@contoso.example' \
	    'b%n@lucerne.example' 'C%n@Adatum.Example' > /dev/null
	# Bounces (null sender).
	sb_send_n 25 -f '' 'postmaster@northwind.example' > /dev/null
	# Long folded headers, a header the relay deletes (kept in -H with
	# flag '*'), 8-bit and escape-sequence text.
	for i in $(seq 30); do
		sb_send -f "hr$i@agency.example" \
		    -s $'Caf\xc3\xa9 \x1b[31mred\x1b[0m report' \
		    -H "X-Relay-Spam-Score: 9.9" \
		    -H "$(printf 'X-Folded: %s\r\n\t%s\r\n\t%s' \
		    "$(printf 'word%.0s ' $(seq 40))" \
		    "$(printf 'more%.0s ' $(seq 40))" "end $i")" \
		    -B 3000 "user$i@adatum.example" "x$i@contoso.example" \
		    > /dev/null
	done
	# Messages to be frozen.
	for i in $(seq 40); do
		id=$(sb_send -f "ceo$i@agency.example" "boss$i@contoso.example")
		ids+=("$id")
	done
	sb_queue_run -f > /dev/null 2>&1 || true
	for id in "${ids[@]}"; do
		if [ $((frz % 2)) = 0 ]; then
			sb_exim -Mf "$id" > /dev/null
		fi
		frz=$((frz + 1))
	done
}

compare() {
	local what=$1 n
	sb_exim -bp > "$SB_DIR/bp.txt"
	exiqsumm < "$SB_DIR/bp.txt" > "$SB_DIR/qsumm.txt"
	"$MXTOP" -s "$SB_SPOOL" --threads 2 list --format json \
	    > "$SB_DIR/list.json"
	"$MXTOP" -s "$SB_SPOOL" summary --format json > "$SB_DIR/summary.json"
	n=$(grep -c -E '^ *[0-9]+[mhd] ' "$SB_DIR/bp.txt" || true)
	if [ "$n" -ge 200 ]; then
		ok "$what: exim -bp lists $n messages"
	else
		bad "$what: only $n messages queued"
	fi
	if python3 "$here/compare_bp.py" "$SB_DIR/bp.txt" "$SB_DIR/qsumm.txt" \
	    "$SB_DIR/list.json" "$SB_DIR/summary.json"; then
		ok "$what: mxtop list and summary agree with exim -bp and exiqsumm"
	else
		bad "$what: mxtop disagrees with Exim"
	fi
	# Split layout really in use?
	if [ "$what" = split ]; then
		if ls -d "$SB_SPOOL"/input/?/ > /dev/null 2>&1; then
			ok "split: messages are in input/<c>/"
		else
			bad "split: no subdirectory in input/"
		fi
	fi
	# Nothing in the spool changed because of mxtop.
	(cd "$SB_SPOOL" && find input msglog -type f -printf '%p %s %T@\n' |
	    sort) > "$SB_DIR/before.txt"
	"$MXTOP" -s "$SB_SPOOL" list > /dev/null
	"$MXTOP" -s "$SB_SPOOL" summary > /dev/null
	(cd "$SB_SPOOL" && find input msglog -type f -printf '%p %s %T@\n' |
	    sort) > "$SB_DIR/after.txt"
	if cmp -s "$SB_DIR/before.txt" "$SB_DIR/after.txt"; then
		ok "$what: reading changed nothing in the spool"
	else
		bad "$what: the spool changed while mxtop read it"
	fi
	# Without -s, the spool comes from Exim itself (exim -bP
	# spool_directory), asked with the sandbox's config only.
	if env -u MXTOP_SPOOL "$MXTOP" --exim "$EXIM" --exim-config "$SB_CONF" \
	    list --format ids > "$SB_DIR/found.txt" &&
	    "$MXTOP" -s "$SB_SPOOL" list --format ids > "$SB_DIR/given.txt" &&
	    cmp -s "$SB_DIR/found.txt" "$SB_DIR/given.txt" &&
	    [ -s "$SB_DIR/found.txt" ]; then
		ok "$what: the default spool is the one Exim names"
	else
		bad "$what: default spool discovery"
	fi
	# show on one message with a deleted header: not shown as live.
	local id
	id=$(python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); print([m["id"] for m in l if m["sender"].startswith("hr")][0])' "$SB_DIR/list.json")
	if "$MXTOP" -s "$SB_SPOOL" show "$id" > "$SB_DIR/show.txt" &&
	    grep -q 'X-Relay-Spam-Score: 0.0' "$SB_DIR/show.txt" &&
	    ! grep -q 'X-Relay-Spam-Score: 9.9' "$SB_DIR/show.txt" &&
	    grep -q '1 deleted header' "$SB_DIR/show.txt" &&
	    ! grep -q $'\x1b' "$SB_DIR/show.txt" &&
	    grep -q '\^\[\[31mred' "$SB_DIR/show.txt"; then
		ok "$what: show hides the deleted header and escapes ESC"
	else
		bad "$what: show output wrong:"
		sed 's/^/# /' "$SB_DIR/show.txt" | head -40
	fi
}

for layout in flat split; do
	if [ $layout = split ]; then sb_start --split; else sb_start; fi
	fill
	compare $layout
	sb_stop
done
t_done
