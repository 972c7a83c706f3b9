#!/bin/sh
# The manual pages: `mandoc -Tlint` at its strictest level, and nothing
# the code knows goes undocumented -- every keyword of the grammar and
# statement of the sample configuration in trunkd.conf(5), every trunkctl
# command in trunkctl(8), every trunkd option in trunkd(8).
. "$(dirname "$0")/lib.sh"

man=$TOP/man
pages="trunkd.8 trunkd.conf.5 trunkctl.8"
# was_read FILE MIN WHAT: what the code was scanned for is all there.
was_read() {
	[ "$(wc -l < "$1")" -ge "$2" ]; ok $? "$3 were read ($(wc -l < "$1"))"
}
# missing_ok DESCRIPTION: passes when $missing is empty, else names it.
missing_ok() {
	[ -z "$missing" ]; ok $? "$1"
	[ -z "$missing" ] || diag "undocumented:$missing"
}

# --- lint ---
# Cross references to trunk* pages are checked against a database of our
# pages; one to a page this host lacks (syslog(3) without manpages-dev) is
# not a fault of the page.
mkdir -p "$RT/man/man5" "$RT/man/man8"
for p in $pages; do cp "$man/$p" "$RT/man/man${p##*.}/"; done
makewhatis "$RT/man"
lint() {	# lint FILE: the messages that count
	mandoc -Tlint -Wstyle -m "$RT/man" "$1" 2>&1 |
	    grep ': \(STYLE\|WARNING\|ERROR\|UNSUPP\|BADARG\):' |
	    awk '/referenced manual not found/ && !/Xr trunk/ { next }
		{ print }'
}
for p in $pages; do
	out=$(lint "$man/$p")
	[ -z "$out" ]; ok $? "mandoc -Tlint -Wstyle: $p"
	[ -z "$out" ] || diag "$out"
done
sed 's/^\.Sh DESCRIPTION/.Sh DESCRIPTION\n.Bl -tag\n.It x/' \
    "$man/trunkd.8" > "$RT/broken.8"
[ -n "$(lint "$RT/broken.8")" ]; ok $? "the lint reports a broken page"

# --- trunkd.conf(5) ---
# The keywords of an .It line: the words after Ic or Cm, up to the next
# macro.  One line per .It.
it_keywords() {
	awk '/^\.It / {
		kw = 0; out = ""
		for (i = 2; i <= NF; i++) {
			if ($i ~ /^[A-Z][a-z][a-z]?$/) { kw = ($i == "Ic" || $i == "Cm"); continue }
			if (kw && $i ~ /^[a-z][a-z0-9]*$/) out = out " " $i
		}
		print out " "
	}' "$1"
}
it_keywords "$man/trunkd.conf.5" > "$RT/conf-it"
# The lexer's keywords, from its table in parse.y.
sed -n 's/^[[:space:]]*{ "\([a-z0-9]*\)",[[:space:]]*T_[A-Z0-9]* },*$/\1/p' \
    "$TOP/parent/parse.y" > "$RT/lexer-keywords"
was_read "$RT/lexer-keywords" 50 "the lexer's keywords"
missing=
for k in $(cat "$RT/lexer-keywords"); do
	grep -q " $k " "$RT/conf-it" || missing="$missing $k"
done
missing_ok "trunkd.conf.5 documents every keyword of the grammar"

# Each statement of the sample: its keywords, in order, in one .It line.
stmt_keywords() {	# the keywords of each statement of a trunkd.conf
	sed -e 's/#.*//' -e 's/"[^"]*"/ _ /g' "$1" | tr '{}' '  ' |
	    awk -v kwfile="$RT/lexer-keywords" '
		BEGIN { while ((getline k < kwfile) > 0) kw[k] = 1 }
		{ out = ""; for (i = 1; i <= NF; i++) if ($i in kw) out = out " " $i
		  if (out != "") print out }'
}
covered() {	# covered "KEYWORDS": a subsequence of some .It line
	awk -v want="$1" '{
		n = split(want, w, " "); m = split($0, h, " "); j = 1
		for (i = 1; i <= m && j <= n; i++) if (h[i] == w[j]) j++
		if (j > n) found = 1
	} END { exit !found }' "$RT/conf-it"
}
stmt_keywords "$TOP/etc/trunkd.conf" | sort -u > "$RT/sample-stmts"
was_read "$RT/sample-stmts" 40 "the sample's statements"
missing=
while read -r s; do
	covered "$s" || missing="$missing ($s)"
done < "$RT/sample-stmts"
missing_ok "trunkd.conf.5 documents every statement of etc/trunkd.conf"
! covered "sip udp rate" ; ok $? "a statement the page lacks is caught"

missing=
for e in $(sed -n 's/^[[:space:]]*\[AB_[A-Z_]*\] = "\([A-Za-z]*\)",$/\1/p' \
    "$TOP/parent/config.c"); do
	grep -q "$e" "$man/trunkd.conf.5" || missing="$missing $e"
done
missing_ok "trunkd.conf.5 names every AutoBan event"

# The examples of the page, put together, are a configuration trunkd takes.
awk '/^\.Sh EXAMPLES/ { ex = 1 } /^\.Sh SEE ALSO/ { ex = 0 }
    ex && /^\.Ed/ { on = 0 } ex && on { print } ex && /^\.Bd -literal/ { on = 1 }' \
    "$man/trunkd.conf.5" | sed -e "s/\"_trunkd_web\"/$WEB_UID:$WEB_UID/" \
    -e "s/\"_trunkd_db\"/$DB_UID:$DB_UID/" \
    -e "s/\"_trunkd_ast\"/$AST_UID:$AST_UID/" > "$RT/example.conf"
chmod 0600 "$RT/example.conf"
out=$("$TRUNKD_OBJ/trunkd" -n -f "$RT/example.conf" 2>&1 >/dev/null)
ok $? "trunkd -n accepts the EXAMPLES of trunkd.conf.5"
echo "$out" | grep -q 'configuration OK' || diag "$out"

# --- trunkctl(8): every command of both tables in ctl/trunkctl.c ---
it_keywords "$man/trunkctl.8" > "$RT/ctl-it"
sed -n 's/^[[:space:]]*{ { "\([a-z]*\)"\(, "\([a-z]*\)"\)* },.*/\1 \3/p' \
    "$TOP/ctl/trunkctl.c" > "$RT/ctl-commands"
was_read "$RT/ctl-commands" 8 "trunkctl's commands"
missing=
while read -r a b; do
	grep -q "^ $a ${b:+$b }" "$RT/ctl-it" || missing="$missing ($a${b:+ $b})"
done < "$RT/ctl-commands"
missing_ok "trunkctl.8 documents every command"

# --- trunkd(8): every option of parent.c's getopt string ---
opts=$(sed -n 's/.*getopt(argc, argv, "\([^"]*\)").*/\1/p' \
    "$TOP/parent/parent.c" | tr -d ':+')
[ -n "$opts" ]; ok $? "trunkd's options were read ($opts)"
missing=
for o in $(echo "$opts" | sed 's/./& /g'); do
	grep -q "^\.It Fl $o\( \|$\)" "$man/trunkd.8" || missing="$missing -$o"
done
missing_ok "trunkd.8 documents every option"

done_testing
