#!/bin/sh
# make bench: run every benchmark script given, then print one table of
# the figures they reported.  A benchmark prints whatever it likes, plus
# one line per figure:
#   RESULT<TAB>figure<TAB>value<TAB>unit<TAB>peer<TAB>peer value
# (peer and peer value empty when there is nothing to compare with).
# A higher-is-better figure's ratio is value/peer; for latencies (unit
# "us" or "ms") it is peer/value, so a ratio above 1 always favours trunkd.
TRUNKD_OBJ=${TRUNKD_OBJ:-$(pwd)/obj}; export TRUNKD_OBJ
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for b in "$@"; do
	echo "== $b"
	sh "$b" 2>&1 | tee -a "$out" | grep -v '^RESULT	'
done
echo
printf '%-44s %14s %-8s %-28s %14s %8s\n' figure trunkd unit peer peer ratio
grep '^RESULT	' "$out" | while IFS='	' read -r _ fig val unit peer pval; do
	ratio=-
	if [ -n "$pval" ]; then
		case $unit in
		us|ms|s) ratio=$(awk -v a="$val" -v b="$pval" 'BEGIN { if (a > 0) printf "%.2f", b / a }') ;;
		*) ratio=$(awk -v a="$val" -v b="$pval" 'BEGIN { if (b > 0) printf "%.2f", a / b }') ;;
		esac
	fi
	printf '%-44s %14s %-8s %-28s %14s %8s\n' "$fig" "$val" "$unit" \
	    "${peer:--}" "${pval:--}" "$ratio"
done
