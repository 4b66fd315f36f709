# sandbox.sh -- a private real-Exim backup MX for mxtop's tests (bash, sourced).
#
#	. tests/exim/sandbox.sh
#	sb_start [--split]              # temp relay, config, trap sb_stop EXIT
#	sb_primary DOMAIN MODE [ARGS]   # fake primary (fakesmtp MODE ARGS), or
#	                                # MODE offline (nothing listens) or
#	                                # MODE self (routed to 127.0.0.1: frozen)
#	sb_send [opts] RCPT...          # one message over exim -bs; prints its id
#	sb_send_n N [opts] RCPT...      # N messages (%n in -f/-s/RCPT = 1..N)
#	sb_smtp [-c IP] [-h HELO] < session   # raw SMTP session on exim -bs
#	sb_queue_run [-f]               # exim -q (or -qf), in the foreground
#	sb_exim ARGS...                 # timeout 60 exim4 -C $SB_CONF ARGS
#	sb_stop                         # stop primaries, undo trusted_configs,
#	                                # rm -rf $SB_DIR unless KEEP=1
#
# After sb_start: $SB_DIR (root of the sandbox), $SB_SPOOL (spool_directory),
# $SB_LOG (log directory: mainlog, rejectlog, paniclog), $SB_CONF (config),
# $SB_MAIL/<domain>/ (messages received by "accept" primaries).
#
# Settings (set before sb_start): TOOLS (build/tools), EXIM (/usr/sbin/exim4),
# SB_TIMEOUT (smtp transport timeouts, 3s), SB_CALLOUT (callout timeout, 3s),
# SB_RETRY (extra retry rules, default a 2-minute cutoff for adatum.example),
# SB_CONNMAX (connection_max_messages, 500), SB_LIFETIME (fake primaries'
# lifetime, 600 s), SB_TMP (prefix of $SB_DIR, /tmp/mxtop-sb), SB_PORT (their port; default random 20000-49999, so
# concurrent sandboxes do not collide).
# Any time: SB_OFFSET=seconds (negative = the past) runs Exim under
# libfaketime with that clock offset (package faketime).
#
# Never run exim4 on these machines without -C: see exim-sandbox.md.

: "${TOOLS:=build/tools}"
: "${EXIM:=/usr/sbin/exim4}"
: "${SB_TIMEOUT:=3s}"
: "${SB_CALLOUT:=3s}"
: "${SB_RETRY=adatum.example      *   F,2m,10s}"
: "${SB_CONNMAX:=500}"
: "${SB_LIFETIME:=600}"
: "${SB_PORT:=$((20000 + RANDOM % 30000))}"	# random: sandboxes may run side by side
: "${SB_OFFSET:=0}"
SB_FAKETIME_LIB=${SB_FAKETIME_LIB:-/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1}
SB_TRUSTED=/etc/exim4/trusted_configs
SB_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

declare -gA SB_ADDR=()		# domain -> 127.0.1.N
declare -gA SB_PID=()		# domain -> fakesmtp pid
SB_NEXT=1

sb_die() { echo "sandbox: $*" >&2; exit 1; }

sb_start() {
	local split=false
	[ "${1-}" = --split ] && split=true
	[ "$(id -u)" = 0 ] || sb_die "must run as root"
	[ -x "$EXIM" ] || sb_die "$EXIM missing (apt-get install exim4-daemon-light)"
	[ -x "$TOOLS/fakesmtp" ] || sb_die "$TOOLS/fakesmtp missing (make tools)"
	TOOLS=$(cd "$TOOLS" && pwd)
	SB_DIR=$(mktemp -d "${SB_TMP:-/tmp/mxtop-sb}.XXXXXX") || sb_die "mktemp"
	chmod 755 "$SB_DIR"
	SB_SPOOL=$SB_DIR/spool
	SB_LOG=$SB_SPOOL/log
	SB_CONF=$SB_DIR/etc/relay.conf
	SB_MAIL=$SB_DIR/mail
	mkdir -p "$SB_SPOOL/input" "$SB_SPOOL/msglog" "$SB_SPOOL/db" "$SB_LOG" \
	    "$SB_DIR/etc" "$SB_DIR/run" "$SB_MAIL"
	chown -R Debian-exim:Debian-exim "$SB_SPOOL"
	chmod 750 "$SB_SPOOL"
	: > "$SB_DIR/etc/routes"
	: > "$SB_DIR/etc/selfroutes"
	sed -e "s|@SPOOL@|$SB_SPOOL|g" -e "s|@LOG@|$SB_LOG|g" \
	    -e "s|@SPLIT@|$split|g" \
	    -e "s|@ROUTES@|$SB_DIR/etc/routes|g" \
	    -e "s|@SELFROUTES@|$SB_DIR/etc/selfroutes|g" \
	    -e "s|@KEEPENV@|FAKETIME : LD_PRELOAD : DONT_FAKE_MONOTONIC|g" \
	    -e "s|@DAEMONPORT@|$((SB_PORT + 1))|g" \
	    -e "s|@CALLOUT@|$SB_CALLOUT|g" -e "s|@TIMEOUT@|$SB_TIMEOUT|g" \
	    -e "s|@CONNMAX@|$SB_CONNMAX|g" \
	    "$SB_HERE/relay.conf.in" |
	    awk -v r="$SB_RETRY" '$0 == "@RETRY@" { print r; next } { print }' \
	    > "$SB_CONF"
	chown -R root:root "$SB_DIR/etc"
	chmod 0644 "$SB_CONF" "$SB_DIR/etc/routes" "$SB_DIR/etc/selfroutes"
	# Trusted, so Exim's re-executions as Debian-exim keep the config
	# without "exim user lost privilege for using -C option".
	# Edits are serialized with flock: several sandboxes may run at once.
	{
		flock 9
		if [ ! -e "$SB_TRUSTED" ]; then
			install -m 0644 -o root -g root /dev/null "$SB_TRUSTED"
			: > /run/lock/mxtop-sandbox.created
		fi
		echo "$SB_CONF" >> "$SB_TRUSTED"
	} 9> /run/lock/mxtop-sandbox.lock
	trap sb_stop EXIT
	trap 'exit 130' INT TERM
	sb_exim -bV > /dev/null || sb_die "exim rejects $SB_CONF"
}

# Runs Exim on the sandbox config (with libfaketime when SB_OFFSET != 0).
sb_exim() {
	if [ "${SB_OFFSET:-0}" != 0 ]; then
		[ -r "$SB_FAKETIME_LIB" ] || [ -r "/usr/lib/x86_64-linux-gnu/$SB_FAKETIME_LIB" ] ||
		    sb_die "SB_OFFSET needs libfaketime (apt-get install faketime)"
		local off=$SB_OFFSET
		[ "${off#-}" = "$off" ] && off=+$off
		timeout "${SB_EXIM_TIMEOUT:-60}" env LD_PRELOAD="$SB_FAKETIME_LIB" \
		    FAKETIME="$off" DONT_FAKE_MONOTONIC=1 \
		    "$EXIM" -C "$SB_CONF" "$@"
	else
		timeout "${SB_EXIM_TIMEOUT:-60}" "$EXIM" -C "$SB_CONF" "$@"
	fi
}

# The sandbox clock (Unix seconds), i.e. real time plus SB_OFFSET.
sb_now() { echo $(( $(date +%s) + ${SB_OFFSET:-0} )); }

# Sets the route of a domain: routes file (self = send) or selfroutes.
sb_route() {
	local dom=$1 target=$2 file=$SB_DIR/etc/routes other=$SB_DIR/etc/selfroutes
	if [ "${3-}" = self ]; then file=$other; other=$SB_DIR/etc/routes; fi
	sed -i "/^$dom:/d" "$file" "$other"
	echo "$dom: $target" >> "$file"
}

# sb_primary DOMAIN MODE [fakesmtp args]: (re)starts the domain's fake
# primary on its own address 127.0.1.N (kept across calls, so Exim's retry
# hints refer to the same host).  MODE offline: nothing listens; MODE
# self: the domain is routed to 127.0.0.1 without self = send.
sb_primary() {
	local dom=$1 mode=$2 addr pid i
	shift 2
	if [ -n "${SB_PID[$dom]-}" ]; then
		_sb_kill "${SB_PID[$dom]}"
		unset "SB_PID[$dom]"
	fi
	if [ "$mode" = self ]; then
		sb_route "$dom" "127.0.0.1::$SB_PORT" self
		return 0
	fi
	if [ -z "${SB_ADDR[$dom]-}" ]; then
		SB_ADDR[$dom]=127.0.1.$SB_NEXT
		SB_NEXT=$((SB_NEXT + 1))
	fi
	addr=${SB_ADDR[$dom]}
	sb_route "$dom" "$addr::$SB_PORT"
	[ "$mode" = offline ] && return 0
	local args=(-a "$addr" -p "$SB_PORT" -m "$mode" -t "$SB_LIFETIME"
	    -P "$SB_DIR/run/$dom.pid")
	if [ "$mode" = accept ]; then
		mkdir -p "$SB_MAIL/$dom"
		args+=(-d "$SB_MAIL/$dom")
	fi
	rm -f "$SB_DIR/run/$dom.pid"
	# Started in a subshell, so it is not a job of the caller (whose
	# plain "wait" would otherwise wait for it); its pid comes from -P.
	( "$TOOLS/fakesmtp" "${args[@]}" "$@" < /dev/null \
	    2>> "$SB_DIR/run/fakesmtp.err" & )
	for i in $(seq 100); do
		[ -s "$SB_DIR/run/$dom.pid" ] && break
		sleep 0.05
	done
	pid=$(cat "$SB_DIR/run/$dom.pid" 2> /dev/null) ||
	    sb_die "fakesmtp for $dom failed: $(cat "$SB_DIR/run/fakesmtp.err")"
	SB_PID[$dom]=$pid
}

# Stops a fake primary (and its connection children) and waits for it.
_sb_kill() {
	local i
	kill "$1" 2> /dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$1" 2> /dev/null || return 0
		sleep 0.05
	done
	kill -9 "$1" 2> /dev/null
}

# Coprocess plumbing for sb_smtp/sb_send: one command, one full reply.
_sb_reply() {
	local line
	SB_REPLY= SB_CODE=
	while IFS= read -r -t 120 line <&"${SB_CO[0]}"; do
		line=${line%$'\r'}
		SB_REPLY+=$line$'\n'
		[[ $line =~ ^[0-9]{3}- ]] || { SB_CODE=${line:0:3}; return 0; }
	done
	return 1
}
_sb_cmd() { printf '%s\r\n' "$1" >&"${SB_CO[1]}"; _sb_reply; }

# Starts "exim -bs" as if the client were at IP (-oMa; no packet is sent).
_sb_open() {
	local ip=$1
	coproc SB_CO { sb_exim -bs -oMa "$ip" -oMi 127.0.0.1 -oMt "" 2>&1; }
	_sb_reply || return 1
}
_sb_close() {
	local wfd=${SB_CO[1]}
	_sb_cmd QUIT
	exec {wfd}>&-
	wait "$SB_CO_PID" 2> /dev/null
}

# sb_smtp [-c IP] < session: feeds the lines of stdin one by one (waiting
# for each reply, DATA text sent as is up to "."), prints the replies.
sb_smtp() {
	local ip=192.0.2.25 line indata=0
	[ "${1-}" = -c ] && { ip=$2; shift 2; }
	_sb_open "$ip" || return 1
	printf '%s' "$SB_REPLY"
	while IFS= read -r line; do
		line=${line%$'\r'}
		if [ $indata = 1 ]; then
			printf '%s\r\n' "$line" >&"${SB_CO[1]}"
			[ "$line" = . ] || continue
			indata=0
			_sb_reply
		else
			_sb_cmd "$line"
			case ${line^^} in DATA*) [ "$SB_CODE" = 354 ] && indata=1 ;; esac
		fi
		printf '%s' "$SB_REPLY"
		case ${line^^} in QUIT*) break ;; esac
	done
	local wfd=${SB_CO[1]}
	exec {wfd}>&-
	wait "$SB_CO_PID" 2> /dev/null
}

# sb_send [-c CLIENT_IP] [-h HELO] [-f FROM] [-s SUBJECT] [-H 'Name: value']...
#         [-R N] [-b BODY] [-B BYTES] RCPT...
# One message in one session: -R N adds N extra Received: headers (loops),
# -B pads the body to about BYTES, -f '' sends a bounce (MAIL FROM:<>).
# Prints the queue id and returns 0 when the message was accepted, else 1
# (e.g. every RCPT rejected by the callout).
sb_send() {
	local ip=192.0.2.25 helo=mail.partners.example from=alice@partners.example
	local subject="Test message" body="Hello from the sandbox." extra=() nrecv=0
	local pad=0 r ok=0 id now date mid i
	while [ $# -gt 0 ]; do
		case $1 in
		-c) ip=$2; shift 2 ;;
		-h) helo=$2; shift 2 ;;
		-f) from=$2; shift 2 ;;
		-s) subject=$2; shift 2 ;;
		-H) extra+=("$2"); shift 2 ;;
		-R) nrecv=$2; shift 2 ;;
		-b) body=$2; shift 2 ;;
		-B) pad=$2; shift 2 ;;
		*) break ;;
		esac
	done
	[ $# -gt 0 ] || sb_die "sb_send: no recipient"
	now=$(sb_now)
	date=$(date -R -d "@$now")
	mid="<$now.$RANDOM$RANDOM@${helo#*.}>"
	_sb_open "$ip" || return 1
	_sb_cmd "EHLO $helo"
	_sb_cmd "MAIL FROM:<$from>"
	for r in "$@"; do
		_sb_cmd "RCPT TO:<$r>"
		[ "$SB_CODE" = 250 ] && ok=1
	done
	if [ $ok = 0 ]; then
		_sb_close
		return 1
	fi
	_sb_cmd DATA
	{
		for ((i = nrecv; i > 0; i--)); do
			printf 'Received: from hop%d.loop.example ([198.51.100.%d])\r\n' "$i" "$i"
			printf '\tby hop%d.loop.example with esmtp id L%d-%s;\r\n' \
			    "$((i + 1))" "$i" "$now"
			printf '\t%s\r\n' "$date"
		done
		printf 'From: %s\r\n' "${from:-MAILER-DAEMON@${helo}}"
		printf 'To: %s\r\n' "$(IFS=,; echo "$*" | sed 's/,/, /g')"
		printf 'Subject: %s\r\n' "$subject"
		printf 'Date: %s\r\n' "$date"
		printf 'Message-ID: %s\r\n' "$mid"
		for r in "${extra[@]}"; do printf '%s\r\n' "$r"; done
		printf '\r\n'
		printf '%s\n' "$body" | sed -e 's/^\./../' -e 's/$/\r/'
		if [ "$pad" -gt 0 ]; then
			for ((i = 0; i < pad / 64; i++)); do
				printf 'Lorem ipsum dolor sit amet, consectetur adipiscing elit %05d\r\n' $i
			done
		fi
		printf '.\r\n'
	} >&"${SB_CO[1]}"
	_sb_reply
	id=
	[[ $SB_REPLY =~ id=([0-9A-Za-z-]+) ]] && id=${BASH_REMATCH[1]}
	_sb_close
	[ -n "$id" ] || return 1
	echo "$id"
}

# sb_send_n N [sb_send options] RCPT...: %n in the options and recipients
# is replaced by the message number.
sb_send_n() {
	local n=$1 i a args
	shift
	for ((i = 1; i <= n; i++)); do
		args=()
		for a in "$@"; do args+=("${a//%n/$i}"); done
		sb_send "${args[@]}"
	done
}

# sb_queue_run [-f]: one queue run in the foreground (-q, or -qf: also
# messages whose retry time has not come).
sb_queue_run() {
	local flag=-q
	[ "${1-}" = -f ] && flag=-qf
	SB_EXIM_TIMEOUT=${SB_QRUN_TIMEOUT:-300} sb_exim "$flag"
}

sb_stop() {
	local dom
	trap - EXIT
	for dom in "${!SB_PID[@]}"; do
		_sb_kill "${SB_PID[$dom]}"
	done
	SB_PID=()
	if [ -n "${SB_CONF-}" ] && [ -f "$SB_TRUSTED" ]; then
		{
			flock 9
			grep -vxF -- "$SB_CONF" "$SB_TRUSTED" > "$SB_TRUSTED.sb$$"
			cat "$SB_TRUSTED.sb$$" > "$SB_TRUSTED"
			rm -f "$SB_TRUSTED.sb$$"
			# A file some sandbox created goes when empty again.
			if [ -e /run/lock/mxtop-sandbox.created ] &&
			    [ ! -s "$SB_TRUSTED" ]; then
				rm -f "$SB_TRUSTED" /run/lock/mxtop-sandbox.created
			fi
		} 9> /run/lock/mxtop-sandbox.lock
	fi
	if [ -n "${SB_DIR-}" ] && [ -d "$SB_DIR" ]; then
		if [ "${KEEP:-0}" = 1 ]; then
			echo "sandbox: kept $SB_DIR" >&2
		else
			rm -rf "$SB_DIR"
		fi
	fi
	SB_CONF= SB_DIR=
}
