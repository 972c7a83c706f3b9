#!/bin/sh
# A real browser: Debian's Chromium, driven by playwright-core from npm
# (pinned in tests/web/package-lock.json, installed under
# tests/artifacts/node), presents the admin's client certificate, opens
# every page, creates a trunk through the form with a TOTP code from
# oathtool, and leaves a PNG of every page in tests/artifacts/.
# playwright-core comes from the npm registry: before the namespace.
if [ -z "$WEB_NS" ]; then
	NODE=$(cd "$(dirname "$0")/../.." && pwd)/tests/artifacts/node
	lock=$(dirname "$0")/../web/package-lock.json
	rc=0
	if command -v npm >/dev/null && { ! cmp -s "$lock" \
	    "$NODE/package-lock.json" ||
	    [ ! -d "$NODE/node_modules/playwright-core" ]; }; then
		mkdir -p "$NODE"
		cp "$(dirname "$lock")/package.json" "$lock" "$NODE/"
		(cd "$NODE" && npm ci --no-audit --no-fund) \
		    >"$NODE/npm.log" 2>&1 || rc=$?
	fi
	exec unshare -n env WEB_NS=1 WEB_NPM_RC=$rc sh "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/db/lib.sh"
command -v mariadbd >/dev/null || skip_all "mariadb-server not installed"
command -v chromium >/dev/null || skip_all "chromium not installed (make deps)"
command -v npm >/dev/null || skip_all "npm not installed (make deps)"
. "$(dirname "$0")/web.sh"

ART=$TOP/tests/artifacts
NODE=$ART/node
[ "$WEB_NPM_RC" = 0 ] && [ -d "$NODE/node_modules/playwright-core" ]
ok $? "playwright-core installed from tests/web/package-lock.json" ||
    diag "$(tail -5 "$NODE/npm.log" 2>/dev/null)"
cp "$TOP/tests/web/browser.mjs" "$NODE/"

web_db_start web1
ok $? "trunkd starts with the database"
code=$(code_next web1)
TA=$(curl -sk --cert "$ADM/web1.crt" --key "$ADM/web1.key" -X POST \
    -H "X-TOTP: $code" -H 'Content-Type: application/json' \
    --data '{"name":"browser","max_trunks":5,"max_channels":20,"allowed_prefixes":["+49"],"max_call_seconds":3600}' \
    "$WEB/api/v1/tenants" | jq -r .id)
[ -n "$TA" ] && [ "$TA" != null ]; ok $? "a tenant for the trunk ($TA)"

out=$(cd "$NODE" && WEB_URL=$WEB ARTIFACTS=$ART CERT=$ADM/web1.crt \
    KEY=$ADM/web1.key TENANT_ID=$TA TOTP=$(code_next web1) \
    timeout 120 node browser.mjs 2>&1)
rc=$?
echo "$out" | sed -n 's/^\(not \)\{0,1\}ok [0-9]* - /&/p' | while read -r l; do
	echo "# browser: $l"
done
[ $rc -eq 0 ]; ok $? "the browser run passed"
[ $rc -eq 0 ] || diag "$(echo "$out" | tail -20)"
echo "$out" | grep -q '^ok .* a trunk is created through the form'
ok $? "a trunk created in the browser"
[ "$(sh "$DBH" sql "$RT/db" "SELECT COUNT(*) FROM trunkd.trunks WHERE name = 'browser-trunk'")" = 1 ]
ok $? "and it is in MariaDB"
n=$(ls "$ART"/*.png 2>/dev/null | wc -l)
[ "$n" -ge 14 ]; ok $? "$n screenshots in tests/artifacts"
done_testing
