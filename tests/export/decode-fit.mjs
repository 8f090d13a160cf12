// SPDX-License-Identifier: GPL-2.0-or-later
// Decodes a FIT file paced exported with Garmin's own FIT SDK and checks it
// against the session log it came from, read here independently of paced's
// C code. Usage: FITSDK=.../@garmin/fitsdk/src/index.js node decode-fit.mjs
// FILE.fit SESSION.jsonl (FITSDK: where the build put the SDK; without it,
// the usual module resolution). Prints one line per check; exits 1 if any
// failed.
import fs from "node:fs";
import { pathToFileURL } from "node:url";

const { Decoder, Stream } = await import(process.env.FITSDK ?
	pathToFileURL(process.env.FITSDK).href : "@garmin/fitsdk");

const [fitPath, logPath] = process.argv.slice(2);
let failed = false;

function check(ok, what) {
	console.log(`${ok ? "ok" : "FAIL"}: ${what}`);
	if (!ok) {
		failed = true;
		process.exitCode = 1;
	}
}

function near(a, b, tol) {
	return Math.abs(a - b) <= tol;
}

// ---- what the log says ----
const lines = fs.readFileSync(logPath, "utf8").split("\n")
	.filter((l) => l.length).map((l) => JSON.parse(l));
const open = lines[0];
const speedup = open.speedup;
const running = new Set(["running", "recovery", "cooldown"]);
let started = false, paused = false, resumed = false, pauseMono = 0;
let pausesMs = 0, lastSeg = null, segments = 0, segS = null, endS = null;
const pauses = [];	// activity-clock seconds of each pause's start, length
const presses = [];	// { press, kind, elapsedS }
const counts = [];	// the treadmill's distance counter: { s, m }
for (const l of lines) {
	if (l.event === "state" && running.has(l.state)) {
		if (paused) {
			// A pause lasts its real time times the speed-up, in
			// whole seconds, at least one (export-timeline.h).
			const ms = Math.max(1000, Math.round((l.mono_us - pauseMono) /
				1000 * speedup / 1000) * 1000);
			pauses.push(ms / 1000);
			pausesMs += ms;
			paused = false;
			resumed = true;
		}
		started = true;
	} else if (l.event === "state" && l.state === "paused" && started) {
		paused = true;
		pauseMono = l.mono_us;
	} else if (l.event === "state" && (l.state === "finished" || l.state === "aborted")) {
		endS ??= l.session_s;
	} else if (l.event === "segment" && started) {
		const same = lastSeg && lastSeg.phase === l.phase &&
			lastSeg.pace === l.pace && lastSeg.speed_kmh === l.speed_kmh;
		// A segment replaced the moment it began (a press as a jog
		// ends, on a slow machine) lasted no time and is no lap.
		if (!(resumed && same) && l.session_s !== segS)
			segments++;
		segS = l.session_s;
		resumed = false;
		lastSeg = l;
	} else if (l.event === "symptom" && l.press > 0) {
		presses.push({ press: l.press, kind: l.kind,
			elapsedS: l.session_s + pausesMs / 1000 });
	} else if (l.event === "sample" && l.distance_m !== undefined &&
		   started && !paused) {
		counts.push({ s: l.session_s, m: l.distance_m });
	}
}
check(endS !== null, `the log ends (${endS} s of plan)`);

// ---- what Garmin's decoder makes of the file ----
const stream = Stream.fromBuffer(fs.readFileSync(fitPath));
check(Decoder.isFIT(stream), "isFIT");
const decoder = new Decoder(stream);
check(decoder.checkIntegrity(), "checkIntegrity (header, size, CRC)");
const { messages, errors } = decoder.read();
check(errors.length === 0, `no decode errors ${errors.length ? errors : ""}`);

const count = (k) => (messages[k] ?? []).length;
check(count("fileIdMesgs") === 1 && messages.fileIdMesgs[0].type === "activity",
	"one file_id, type activity");
check(messages.fileIdMesgs[0].manufacturer === "development" &&
	messages.fileIdMesgs[0].productName === "paced",
	"file_id: manufacturer development, product name paced");
check(count("deviceInfoMesgs") === 1 &&
	messages.deviceInfoMesgs[0].productName === "paced", "device_info names paced");
check(count("sessionMesgs") === 1 && count("activityMesgs") === 1,
	"one session, one activity");
const session = messages.sessionMesgs[0];
check(session.sport === "running" && session.subSport === "treadmill",
	`sport ${session.sport}, sub-sport ${session.subSport}`);
check(count("lapMesgs") === segments,
	`laps ${count("lapMesgs")} == segments ${segments}`);
check(session.numLaps === segments, `session num_laps ${session.numLaps}`);
check(count("recordMesgs") === Math.floor(endS) + 1,
	`records ${count("recordMesgs")}: one a second of plan time`);
check(near(session.totalTimerTime, endS, 0.01),
	`timer time ${session.totalTimerTime} s == plan ${endS} s`);
const pauseTotal = pauses.reduce((a, b) => a + b, 0);
check(pauses.length >= 1 && near(session.totalElapsedTime, endS + pauseTotal, 0.01),
	`elapsed ${session.totalElapsedTime} s == plan + ${pauses.length} pause(s) ${pauseTotal} s`);
check(near(messages.activityMesgs[0].totalTimerTime, endS, 0.01),
	"activity total_timer_time");

// Distance: the laps add up to the session, and the records follow the
// treadmill's own counter (export-timeline.h): at each sample, within the
// metre it counts in and the second between the sample and the record.
const lapSum = messages.lapMesgs.reduce((a, l) => a + l.totalDistance, 0);
check(near(lapSum, session.totalDistance, 0.05),
	`lap distances ${lapSum.toFixed(2)} m add up to ${session.totalDistance} m`);
// Records are whole seconds; a late last tick ends the session at 420.2 s,
// and the belt's last 0.2 s are in the session's distance only.
const lastRecord = messages.recordMesgs[count("recordMesgs") - 1];
const tail = (endS - Math.floor(endS)) * (lastRecord.speed ?? 0);
check(near(lastRecord.distance + tail, session.totalDistance, 0.05),
	`the last record's distance ${lastRecord.distance} m and ` +
	`${tail.toFixed(2)} m after it are the session's`);
const off = counts.map((c) =>
	Math.abs(messages.recordMesgs[Math.round(c.s)].distance - c.m));
check(counts.length >= 1 && Math.max(...off) <= 3,
	`records within ${Math.max(...off).toFixed(2)} m of the treadmill's ` +
	`${counts.length} counts`);
let monotonic = true;
for (let i = 1; i < count("recordMesgs"); i++)
	monotonic &&= messages.recordMesgs[i].distance >= messages.recordMesgs[i - 1].distance;
check(monotonic, "record distances never go back");

// Timer: started once, stopped and started again for each pause, stopped
// at the end; no record while it is stopped.
const timer = messages.eventMesgs.filter((e) => e.event === "timer");
const starts = timer.filter((e) => e.eventType === "start");
const stops = timer.filter((e) => e.eventType === "stopAll");
check(starts.length === 1 + pauses.length && stops.length === 1 + pauses.length,
	`timer: ${starts.length} starts, ${stops.length} stops for ${pauses.length} pause(s)`);
let inPause = false;
for (let i = 0; i + 1 < stops.length; i++) {
	const from = stops[i].timestamp.getTime(), to = starts[i + 1].timestamp.getTime();
	inPause ||= messages.recordMesgs.some((r) =>
		r.timestamp.getTime() > from && r.timestamp.getTime() < to);
}
check(!inPause, "no record during a pause");

// Presses: a user marker each, with its number, at its time, and the
// symptom and scale-back as developer fields.
const t0 = session.startTime.getTime();
const markers = messages.eventMesgs.filter((e) => e.event === "userMarker");
check(markers.length === presses.length && presses.length === 2,
	`${markers.length} press events for ${presses.length} presses in the log`);
for (const p of presses) {
	const m = markers.find((e) => e.data === p.press);
	const at = m ? (m.timestamp.getTime() - t0) / 1000 : NaN;
	check(m && near(at, p.elapsedS, 1),
		`press ${p.press} at ${at} s (log: ${p.elapsedS.toFixed(1)} s)`);
	check(m && m.developerFields && m.developerFields[0] === p.kind &&
		typeof m.developerFields[1] === "string" && m.developerFields[1].length > 0,
		`press ${p.press}: symptom "${m?.developerFields?.[0]}", ` +
		`scale-back "${m?.developerFields?.[1]}"`);
}
const names = (messages.fieldDescriptionMesgs ?? []).map((f) => f.fieldName);
check(names.includes("symptom") && names.includes("scaleback"),
	"developer fields described: symptom, scaleback");

// Laps: the one a press began is marked manual, the last session_end.
const triggers = messages.lapMesgs.map((l) => l.lapTrigger);
check(triggers[triggers.length - 1] === "sessionEnd", "last lap: session end");
check(triggers.filter((t) => t === "manual").length === presses.length,
	"a manual lap end before each press's recovery");

// Timestamps never go back, across all messages that have one.
let last = 0, ordered = true;
new Decoder(Stream.fromBuffer(fs.readFileSync(fitPath))).read({
	mesgListener: (num, m) => {
	if (m.timestamp instanceof Date) {
		ordered &&= m.timestamp.getTime() >= last;
		last = m.timestamp.getTime();
	}
} });
check(ordered, "messages in time order");
if (failed)
	console.log("FAIL: see above");
