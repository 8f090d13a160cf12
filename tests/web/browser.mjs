// SPDX-License-Identifier: GPL-2.0-or-later
// make check-web: the phone page as a person uses it, in Debian's chromium
// driven by puppeteer-core: pair, start with the hold, see the countdown,
// press the symptom button and see the belt drop, lose the stream and see
// "not connected", get it back by reloading. Phone-sized screenshots of
// each page go to SHOTS. Run by tests/web/test-web-browser.sh.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

const env = process.env;
const tmp = mkdtempSync(join(tmpdir(), "paced-web-browser."));
const shots = env.SHOTS;
let paced = null, browser = null, step = "start";

function fail(msg) {
	console.error(`FAIL: ${step}: ${msg}`);
	process.exitCode = 1;
	throw new Error(msg);
}

async function freePort() {
	return new Promise((ok) => {
		const s = createServer().listen(0, "127.0.0.1", () => {
			const p = s.address().port;
			s.close(() => ok(p));
		});
	});
}

function startPaced(conf) {
	const p = spawn(env.PACED, ["-d", "-c", conf], {
		env: { ...env, PACED_PLUGIN_PATH: env.PLUGINS },
		stdio: ["ignore", "pipe", "pipe"],
	});
	let out = "";
	p.stdout.on("data", (d) => { out += d; });
	p.stderr.on("data", (d) => { out += d; });
	p.log = () => out;
	return new Promise((ok, no) => {
		const t0 = Date.now();
		const poll = setInterval(() => {
			if (out.includes("plugin web: listening")) {
				clearInterval(poll);
				ok(p);
			} else if (Date.now() - t0 > 10000 || p.exitCode !== null) {
				clearInterval(poll);
				no(new Error("paced did not start: " + out));
			}
		}, 50);
	});
}

function stopPaced(p) {
	return new Promise((ok) => {
		if (!p || p.exitCode !== null)
			return ok();
		p.on("exit", () => ok());
		p.kill("SIGTERM");
	});
}

async function shot(page, name, keepScroll) {
	if (!keepScroll)
		await page.evaluate(() => window.scrollTo(0, 0));
	await page.screenshot({ path: join(shots, name + ".png") });
}

async function text(page, sel) {
	return page.$eval(sel, (e) => e.textContent);
}

async function waitText(page, sel, re, ms) {
	try {
		await page.waitForFunction((s, r) => new RegExp(r).test(document.querySelector(s).textContent),
			{ timeout: ms || 15000 }, sel, re.source);
	} catch (e) {
		fail(`${sel} never matched ${re}: '${await text(page, sel)}'`);
	}
}

async function hold(page, sel, ms) {
	const b = await page.$(sel);
	await b.evaluate((e) => e.scrollIntoView({ block: "center" }));
	const box = await b.boundingBox();
	await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
	await page.mouse.down();
	await new Promise((r) => setTimeout(r, ms));
	await page.mouse.up();
}

async function main() {
	mkdirSync(shots, { recursive: true });
	mkdirSync(join(tmp, "state"));
	const port = await freePort();
	const base = `http://127.0.0.1:${port}`;
	const conf = join(tmp, "paced.conf");
	writeFileSync(conf, `treadmill = { address = "sim"; };
user = { walk = 5.0; jog = 7.5; speed_cap = 9.0; };
profile_dir = "${env.TOP_SRCDIR}/profiles";
profile = "demo";
state_dir = "${tmp}/state";
control = { socket = "${tmp}/ctl"; };
speedup = 6;
plugins = { sim = {}; web = { listen = "127.0.0.1:${port}"; }; };
`);
	paced = await startPaced(conf);

	step = "pair";
	const pair = JSON.parse(execFileSync(env.PACECTL, ["-S", join(tmp, "ctl"), "web", "pair", "--json"]));
	browser = await puppeteer.launch({
		executablePath: env.CHROMIUM || "/usr/bin/chromium",
		headless: true,
		args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
	});
	const page = await browser.newPage();
	await page.setViewport({ width: 390, height: 844, deviceScaleFactor: 2, isMobile: true, hasTouch: false });
	const unpaired = await page.goto(base + "/");
	if (unpaired.status() !== 401 || !(await page.content()).includes("pacectl web pair"))
		fail("an unpaired phone does not get the pairing help");
	await shot(page, "pair");
	await page.goto(pair.pair);
	await page.waitForSelector("nav", { timeout: 10000 });
	await page.waitForFunction(() => !document.body.classList.contains("offline"), { timeout: 10000 });

	step = "today";
	await page.goto(base + "/#today");
	await page.waitForFunction(() => !document.body.classList.contains("offline"), { timeout: 10000 });
	await shot(page, "today");

	step = "start with a short press: nothing";
	await hold(page, "#start", 300);
	await new Promise((r) => setTimeout(r, 500));
	if (execFileSync(env.PACECTL, ["-S", join(tmp, "ctl"), "status"]).toString().includes('"state":"running"'))
		fail("a short press started the belt");

	step = "start with the hold";
	await hold(page, "#start", 1900);
	await waitText(page, "#ack", /start confirmed/);
	await page.goto(base + "/#now");
	await waitText(page, "#n-phase", /running/);
	await waitText(page, "#n-left", /\d:\d\d left/);
	const a = await text(page, "#n-left");
	await new Promise((r) => setTimeout(r, 1500));
	if (a === await text(page, "#n-left"))
		fail("the countdown does not move: " + a);
	if (!(await page.$$(".bar .jog")).length)
		fail("no jogs drawn on the progress bar");

	step = "symptom";
	await waitText(page, "#n-belt", /7\.5/, 30000);
	await shot(page, "now");
	await page.click("#symptom");
	await waitText(page, "#ack", /walking pace sent/);
	await waitText(page, "#n-belt", /5\.0/);
	await waitText(page, "#n-presses", /^1$/);
	await shot(page, "now-symptom");

	step = "lose the stream";
	await stopPaced(paced);
	await page.waitForFunction(() => document.body.classList.contains("offline") &&
		getComputedStyle(document.getElementById("conn")).display !== "none", { timeout: 5000 })
		.catch(() => fail("no 'not connected' after the service went"));
	if (!(await page.$eval("#symptom", (b) => b.disabled)))
		fail("stale buttons stay active");
	await shot(page, "offline");
	// Back with the programme too: the Programme page draws its ladder.
	const conf2 = join(tmp, "paced2.conf");
	writeFileSync(conf2, readFileSync(conf, "utf8") +
		`programme = "${env.TOP_SRCDIR}/profiles/return-to-running.programme";\n`);
	paced = await startPaced(conf2);
	await page.waitForFunction(() => !document.body.classList.contains("offline"), { timeout: 10000 })
		.catch(() => fail("never reconnected by itself"));
	await page.reload();
	await page.waitForFunction(() => !document.body.classList.contains("offline"), { timeout: 10000 })
		.catch(() => fail("not connected after a reload"));

	step = "history and profiles";
	await page.goto(base + "/#history");
	await page.waitForSelector("#h-list li button");
	await page.click("#h-list li button");
	await page.waitForSelector("#h-list svg polyline", { timeout: 10000 })
		.catch(() => fail("no speed chart for the session"));
	if (!(await page.$$("#h-list svg line")).length)
		fail("the press is not marked on the chart");
	await shot(page, "history");
	await page.goto(base + "/#profiles");
	await page.waitForSelector("#f-list li button");
	await page.click("#f-list li button");
	await page.waitForSelector("#f-show svg rect");
	await page.$eval("#f-show", (e) => e.scrollIntoView());
	await page.evaluate(() => window.scrollBy(0, -80));
	await shot(page, "profiles", true);

	step = "programme and today";
	await page.goto(base + "/#programme");
	await page.waitForSelector("#p-ladder li.here", { timeout: 10000 })
		.catch(() => fail("the ladder does not say where she is"));
	if (!/PREP1/.test(await text(page, "#p-ladder li.here")))
		fail("a fresh programme does not start at PREP1");
	await shot(page, "programme");
	await page.goto(base + "/#today");
	await waitText(page, "#t-next", /PREP1/);
	await shot(page, "today");
	console.log("PASS: web page: pair, hold to start, countdown, symptom, not connected, reconnect");
}

try {
	await main();
} catch (e) {
	if (!process.exitCode) {
		console.error(`FAIL: ${step}: ${e.message}`);
		process.exitCode = 1;
	}
	if (paced)
		console.error(paced.log().split("\n").slice(-15).join("\n"));
} finally {
	if (browser)
		await browser.close();
	await stopPaced(paced);
	execFileSync("rm", ["-rf", tmp]);
}
