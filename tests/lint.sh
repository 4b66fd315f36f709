#!/usr/bin/env bash
# lint.sh -- the architecture, checked (make lint).
#
# Layers, lowest first: base exim model run out tui app.  A file under
# src/<layer>/ or include/<layer>/ may include "<other>/x.h" only when
# <other> is its own layer or one below it, and the modules of one layer
# may not include each other in a circle.  Then the greps: curses only in
# src/tui/ui*.c, libarchive only in src/out/export*.c, processes only in
# src/run/, sockets only in src/run/, no shell anywhere.
#	bash tests/lint.sh [ROOT]	(default: the tree this file is in)
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2
layers=(base exim model run out tui app)
fail=0
rank() {
	local i
	for i in "${!layers[@]}"; do
		[ "${layers[$i]}" = "$1" ] && { echo "$i"; return; }
	done
	echo -1
}
no() { echo "lint: $*" >&2; fail=1; }

# Module of a file: its layer and name without _suffix.c / .h, so
# view_rows.c and view.h are module tui/view.
module() {
	local f=$1 l b
	l=$(echo "$f" | sed -E 's#^(src|include)/([a-z]+)/.*#\2#')
	b=$(basename "$f"); b=${b%.c}; b=${b%.h}; b=${b%%_*}
	echo "$l/$b"
}

edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for f in src/*/*.[ch] include/*/*.h; do
	[ -e "$f" ] || continue
	l=$(echo "$f" | sed -E 's#^(src|include)/([a-z]+)/.*#\2#')
	r=$(rank "$l")
	[ "$r" -ge 0 ] || { no "$f: $l is not a layer (${layers[*]})"; continue; }
	m=$(module "$f")
	grep -n -E '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
	while IFS= read -r line; do
		n=${line%%:*}
		inc=$(echo "$line" | sed -E 's/.*include[[:space:]]*"([^"]+)".*/\1/')
		case $inc in
		*/*)	il=${inc%%/*}
			ir=$(rank "$il")
			if [ "$ir" -lt 0 ]; then
				echo "X $f:$n: \"$inc\" is in no layer"
			elif [ "$ir" -gt "$r" ]; then
				echo "X $f:$n: $l includes \"$inc\", a layer above it"
			elif [ "$ir" -eq "$r" ]; then
				t=$(module "include/$inc")
				[ "$t" != "$m" ] && echo "E $m $t $f:$n"
			fi ;;
		*_priv.h) ;;	# a module's private header, beside its code
		*)	echo "X $f:$n: \"$inc\": write \"<layer>/$inc\"" ;;
		esac
	done
done > "$edges"
grep '^X ' "$edges" | sed 's/^X /lint: /' >&2
grep -q '^X ' "$edges" && fail=1

# Circles among the modules of one layer (tsort reports them).
if grep -q '^E ' "$edges"; then
	cyc=$(awk '/^E / { print $2, $3 }' "$edges" | sort -u | tsort 2>&1 >/dev/null)
	[ -n "$cyc" ] && no "circular includes: $(echo "$cyc" | tr '\n' ' ')"
fi

# The greps.
g() {	# pattern allowed-path-regex what
	local hits
	hits=$(grep -n -E "$1" src/*/*.c src/*/*.h include/*/*.h 2>/dev/null |
	    grep -v -E "^($2):" | grep -v -E '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)')
	[ -n "$hits" ] && no "$3 outside its place:"$'\n'"$hits"
}
g '#include <(n?curses|ncursesw/curses)\.h>' 'src/tui/ui[a-z_]*\.c' "curses"
g '#include <archive' 'src/out/export[a-z_]*\.c' "libarchive"
g '\b(fork|vfork|exec[lv]p?e?|posix_spawnp?)[[:space:]]*\(' 'src/run/[a-z_]+\.c' \
    "starting a process"
g '\b(socket|connect|accept4?|sendto|recvfrom|getaddrinfo|res_n?query|res_ninit)[[:space:]]*\(' \
    'src/run/[a-z_]+\.c' "a socket or a DNS query"
g '\b(system|popen)[[:space:]]*\(' 'NONE' "a shell (system/popen)"
exit $fail
