#!/usr/bin/env bash
# test_signals.sh -- the TUI gives the terminal back on every exit path:
# SIGTERM, SIGHUP, SIGINT and SIGQUIT each end it as Q does (exit
# 128 + the signal), with the tty modes it found (stty -a before and
# after are the same) and the normal screen back (tmux's alternate_on);
# and when its terminal goes away (the tmux pane killed: SIGHUP, then a
# dead tty), it exits instead of spinning.  A private tmux server (-L),
# no config; the sample spool, no Exim needed.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../testlib.sh"
t_need tmux stty pgrep
tmp=$(mktemp -d /tmp/mxtop-sig.XXXXXX)
T="tmux -L mxsig$$ -f /dev/null"
trap '$T kill-server 2> /dev/null; rm -rf "$tmp"' EXIT
cp -a "$SAMPLE" "$tmp/spool"
now=$(cat "$SAMPLE/now")

# Polls the pane until it shows pattern; 30 s at most (ASan is slow).
wait_for() {
	local i
	for i in $(seq 300); do
		$T capture-pane -p -t "$1" 2> /dev/null | grep -q -F -- "$2" &&
		    return 0
		sleep 0.1
	done
	return 1
}
# The mxtop under the pane's shell.
tui_pid() {
	local sh
	sh=$($T display -p -t "$1" '#{pane_pid}')
	pgrep -P "$sh" -x mxtop || pgrep -P "$sh"
}

# A session that outlives the others, so that the server does not exit
# (and race the next new-session) when a test's session is killed.
$T new-session -d -s keep "sleep 600"
n=0
for sig in TERM HUP INT QUIT; do
	n=$((n + 1))
	s=s$n
	$T new-session -d -s "$s" -x 100 -y 30 "stty -a > $tmp/before.$sig; \
	    env TERM=tmux-256color LANG=C.UTF-8 $MXTOP -s $tmp/spool \
	    --now $now -d 1; echo MXTOP-EXITED \$?; \
	    stty -a > $tmp/after.$sig; sleep 60"
	if ! wait_for "$s" DOMAIN; then
		bad "SIG$sig: the TUI did not come up"
		continue
	fi
	[ "$($T display -p -t "$s" '#{alternate_on}')" = 1 ] ||
	    echo "# SIG$sig: tmux shows no alternate screen while mxtop runs"
	pid=$(tui_pid "$s")
	if [ -z "$pid" ]; then
		bad "SIG$sig: no mxtop process under the pane"
		continue
	fi
	kill -"$sig" "$pid"
	code=$(( 128 + $(kill -l "$sig") ))
	if wait_for "$s" "MXTOP-EXITED $code"; then
		ok "SIG$sig: mxtop ended, exit $code"
	else
		bad "SIG$sig: no exit $code:"
		$T capture-pane -p -t "$s" | grep -v '^$' | tail -3 | sed 's/^/# /'
		continue
	fi
	for i in $(seq 50); do [ -s "$tmp/after.$sig" ] && break; sleep 0.1; done
	if cmp -s "$tmp/before.$sig" "$tmp/after.$sig"; then
		ok "SIG$sig: the tty modes are those from before"
	else
		bad "SIG$sig: tty modes differ:"
		diff "$tmp/before.$sig" "$tmp/after.$sig" | sed 's/^/# /' | head -6
	fi
	[ "$($T display -p -t "$s" '#{alternate_on}')" = 0 ] &&
	    ok "SIG$sig: the normal screen is back" ||
	    bad "SIG$sig: still on the alternate screen"
	$T kill-session -t "$s"
done

# The pane killed under it: SIGHUP and a tty that is gone.
$T new-session -d -s gone -x 100 -y 30 "env TERM=tmux-256color \
    LANG=C.UTF-8 $MXTOP -s $tmp/spool --now $now -d 1; sleep 60"
if ! wait_for gone DOMAIN; then
	bad "pane killed: the TUI did not come up"
elif ! pid=$(tui_pid gone) || [ -z "$pid" ]; then
	bad "pane killed: no mxtop process under the pane"
else
	$T kill-pane -t gone
	for i in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
	if kill -0 "$pid" 2> /dev/null; then
		bad "pane killed: mxtop $pid still runs after 5 s"
		kill -9 "$pid"
	else
		ok "pane killed: mxtop exited"
	fi
fi
t_done
