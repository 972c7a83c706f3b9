// Drives Debian's Chromium (playwright-core, executablePath) through the
// console as an admin with a client certificate: every page opens with
// its stylesheet and no CSP violation, a trunk is created through the
// form with a TOTP code, the layout holds at a phone's width, and a PNG
// of every page lands in $ARTIFACTS.  Prints TAP.
import { chromium } from 'playwright-core';

const env = process.env;
const base = env.WEB_URL;
const out = env.ARTIFACTS;
let n = 0;
let failed = 0;
function ok(cond, desc) {
	n++;
	console.log(`${cond ? 'ok' : 'not ok'} ${n} - ${desc}`);
	if (!cond)
		failed++;
}

const browser = await chromium.launch({
	executablePath: env.CHROMIUM || '/usr/bin/chromium',
	args: ['--no-sandbox'],
});
const context = await browser.newContext({
	ignoreHTTPSErrors: true,
	viewport: { width: 1280, height: 800 },
	clientCertificates: [{ origin: base, certPath: env.CERT,
	    keyPath: env.KEY }],
});
const page = await context.newPage();
const violations = [];
page.on('console', (m) => {
	if (/Content Security Policy|Refused to/.test(m.text()))
		violations.push(m.text());
});

const pages = [
	['dashboard', '/'], ['tenants', '/tenants'], ['trunks', '/trunks'],
	['dids', '/dids'], ['carriers', '/carriers'], ['bans', '/bans'],
	['audit', '/audit'], ['admins', '/admins'],
	['trunk-new', '/trunks/new'], ['ban-new', '/bans/new'],
];
for (const [name, path] of pages) {
	const resp = await page.goto(base + path);
	const bg = await page.evaluate(() => getComputedStyle(
	    document.querySelector('header.top')).backgroundColor);
	ok(resp.status() === 200 && bg === 'rgb(23, 32, 46)',
	    `${path}: 200, styled (${resp.status()}, ${bg})`);
	await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}

await page.goto(base + '/trunks/new');
await page.fill('#f-name', 'browser-trunk');
await page.selectOption('#f-tenant_id', env.TENANT_ID);
await page.selectOption('#f-auth', 'ip');
await page.selectOption('#f-transport', 'udp');
await page.fill('#f-networks', '192.0.2.128/28\n2001:db8:b::/48');
await page.fill('#f-dids', '+4930555555');
await page.fill('#f-codecs', 'g722\nalaw');
await page.fill('#f-max_channels', '8');
await page.fill('#f-totp', env.TOTP);
await page.screenshot({ path: `${out}/trunk-form-filled.png`,
    fullPage: true });
await Promise.all([page.waitForLoadState('load'),
    page.click('button[type=submit]')]);
await page.waitForSelector('.msg');
const created = await page.locator('.msg.ok').count();
ok(created === 1, 'a trunk is created through the form with a TOTP code');
await page.screenshot({ path: `${out}/trunk-created.png`, fullPage: true });

await page.setViewportSize({ width: 390, height: 844 });
for (const [name, path] of [['trunks-phone', '/trunks'],
    ['trunk-new-phone', '/trunks/new']]) {
	await page.goto(base + path);
	const wide = await page.evaluate(() =>
	    document.documentElement.scrollWidth);
	ok(wide <= 390, `${path} fits a phone's width (${wide} px)`);
	await page.screenshot({ path: `${out}/${name}.png`, fullPage: true });
}
ok(violations.length === 0, `no CSP violation (${violations.join('; ')})`);

await browser.close();
console.log(`1..${n}`);
process.exit(failed ? 1 : 0);
