// paced's phone page: one script, no framework, no external assets.
"use strict";

const $ = (id) => document.getElementById(id);
const HOLD_MS = 1500;
let status = null, statusAt = 0, units = "metric";
let profileFiles = {}, timeline = null, timelineFor = "";
let connected = false, refreshTimer = 0;

function el(tag, attrs, ...kids) {
	const e = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {}))
		e.setAttribute(k, v);
	for (const k of kids)
		e.append(k);
	return e;
}

function svg(tag, attrs) {
	const e = document.createElementNS("http://www.w3.org/2000/svg", tag);
	for (const [k, v] of Object.entries(attrs))
		e.setAttribute(k, v);
	return e;
}

// Every request carries the cookie; the server checks Origin on POSTs.
async function api(method, path, body) {
	const opt = { method, credentials: "same-origin", headers: {} };
	if (body !== undefined) {
		opt.headers["Content-Type"] = "application/json";
		opt.body = JSON.stringify(body);
	}
	try {
		const r = await fetch("/api/" + path, opt);
		const json = await r.json().catch(() => ({ ok: false, error: "bad reply" }));
		if (r.status === 401)
			location.reload();	// revoked: the pairing help
		return { status: r.status, json };
	} catch (e) {
		setConnected(false);
		return { status: 0, json: { ok: false, error: "not connected" } };
	}
}

function setConnected(on) {
	connected = on;
	document.body.classList.toggle("offline", !on);
	for (const b of document.querySelectorAll("button.act"))
		b.disabled = !on;
}

// ---- units ----
function speed(kmh) {
	if (kmh === null || kmh === undefined)
		return "–";
	return units === "imperial" ? (kmh / 1.609344).toFixed(1) + " mph" : kmh.toFixed(1) + " km/h";
}

function clock(s) {
	if (s === null || s === undefined || !isFinite(s))
		return "–";
	s = Math.max(0, Math.round(s));
	return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
}

// ---- Now ----
function ack(text, bad) {
	const a = $("ack");
	a.textContent = text;
	a.classList.toggle("err", !!bad);
}

async function loadTimeline(name) {
	if (!Object.keys(profileFiles).length) {
		const r = await api("GET", "profiles");
		for (const p of (r.json.profiles || []))
			profileFiles[p.name] = p.file.replace(/\.cfg$/, "");
	}
	const file = profileFiles[name];
	timelineFor = name;
	timeline = null;
	if (!file)
		return;
	const r = await api("GET", "profiles/" + encodeURIComponent(file));
	if (r.json.ok)
		timeline = r.json;
	drawBar();
}

function drawBar() {
	const bar = $("n-bar");
	for (const j of bar.querySelectorAll(".jog"))
		j.remove();
	if (!timeline)
		return;
	for (const s of timeline.segments) {
		if (!s.jog)
			continue;
		const b = el("div", { class: "jog" });
		b.style.left = (100 * s.start_s / timeline.total_s) + "%";
		b.style.width = (100 * s.duration_s / timeline.total_s) + "%";
		bar.prepend(b);
	}
}

function nextChange(at) {
	if (!timeline)
		return null;
	for (const s of timeline.segments)
		if (s.start_s > at)
			return s;
	return null;
}

function renderNow() {
	const s = status;
	if (!s)
		return;
	const live = s.state === "running" || s.state === "recovery" || s.state === "cooldown";
	const dt = live ? (Date.now() - statusAt) / 1000 : 0;
	const seg = s.segment;
	$("n-phase").textContent = s.state;
	$("n-segment").textContent = seg ? seg.phase + " · " + seg.pace : (s.service || "");
	$("n-target").textContent = speed(live || s.state === "paused" ? s.target_speed_kmh : null);
	$("n-belt").textContent = speed(s.treadmill ? s.treadmill.speed_kmh : null);
	$("n-left").textContent = seg ? clock(seg.remaining_s - dt) + " left in this " + seg.pace : "";
	$("n-total").textContent = s.state !== "idle" ? clock(s.remaining_s - dt) + " left of " + s.profile : "";
	$("n-presses").textContent = s.presses || 0;
	const at = (s.session_s || 0) + dt;
	const n = live ? nextChange(at) : null;
	$("n-next").textContent = n ? "next: " + n.pace + " " + speed(n.speed_kmh) + " in " + clock(n.start_s - at) : "";
	if (timeline)
		$("n-cursor").style.left = Math.min(100, 100 * at / timeline.total_s) + "%";
	if (s.profile && s.profile !== timelineFor)
		loadTimeline(s.profile);
}

async function refresh() {
	const r = await api("GET", "status");
	if (!r.json.ok && r.status !== 200)
		return;
	status = r.json;
	statusAt = Date.now();
	// The wire is km/h; the person's units come with the status.
	units = status.units || (status.next && status.next.units) || units;
	renderNow();
}

function refreshSoon() {
	clearTimeout(refreshTimer);
	refreshTimer = setTimeout(refresh, 150);
}

async function symptom(kind) {
	ack("sending…");
	const r = await api("POST", "symptom", kind === "any" ? {} : { kind });
	if (r.json.ok) {
		ack("walking pace sent");
		if (navigator.vibrate)
			navigator.vibrate([200, 100, 200]);
		status = r.json;
		statusAt = Date.now();
		renderNow();
	} else {
		ack(r.json.error || "refused", true);
	}
}

async function post(what) {
	const r = await api("POST", what);
	ack(r.json.ok ? what + " sent" : (r.json.error || "refused"), !r.json.ok);
	refreshSoon();
}

// Start and resume: the hold on the page, then the API's two steps.
async function confirmed(what, body) {
	ack(what + "…");
	const first = await api("POST", what, body || {});
	if (first.status !== 202) {
		ack(first.json.error || "refused", true);
		return;
	}
	const second = await api("POST", what, { confirm: first.json.confirm });
	ack(second.json.ok ? what + " confirmed" : (second.json.error || "refused"), !second.json.ok);
	refreshSoon();
}

function holdButton(b, action) {
	let t0 = 0, raf = 0;
	const stop = () => {
		t0 = 0;
		cancelAnimationFrame(raf);
		b.style.setProperty("--fill", "0%");
	};
	const step = () => {
		if (!t0)
			return;
		const f = (performance.now() - t0) / HOLD_MS;
		b.style.setProperty("--fill", Math.min(100, f * 100) + "%");
		if (f >= 1) {
			stop();
			action();
		} else {
			raf = requestAnimationFrame(step);
		}
	};
	b.addEventListener("pointerdown", (e) => {
		e.preventDefault();
		t0 = performance.now();
		raf = requestAnimationFrame(step);
	});
	for (const ev of ["pointerup", "pointerleave", "pointercancel"])
		b.addEventListener(ev, stop);
	b.addEventListener("contextmenu", (e) => e.preventDefault());
}

// ---- events ----
function speak(ev) {
	if (!$("speak").checked || !window.speechSynthesis || ev.event !== "cue" || !ev.text)
		return;
	speechSynthesis.speak(new SpeechSynthesisUtterance(ev.text));
}

let source = null;
function connect() {
	if (source)
		source.close();
	source = new EventSource("/api/events");
	source.onopen = () => {
		setConnected(true);
		refresh();
	};
	source.onmessage = (m) => {
		let ev;
		try {
			ev = JSON.parse(m.data);
		} catch (e) {
			return;
		}
		speak(ev);
		if (ev.event === "command" && ev.command === "set-speed")
			ack("belt: " + speed(ev.value));
		refreshSoon();
	};
	source.onerror = () => {
		// Lost: say so at once, grey out, and try again.
		setConnected(false);
		source.close();
		source = null;
		setTimeout(connect, 1000);
	};
}

// ---- Today, Programme ----
// The ladder, oldest stage first: where she stands, and today's stage.
function ladder(box, obj) {
	box.replaceChildren();
	for (const s of (obj.ok && obj.ladder) || []) {
		const marks = [];
		if (s.stage === obj.programme_stage)
			marks.push("you are here");
		if (s.stage === obj.stage && obj.stage !== obj.programme_stage)
			marks.push("today");
		box.append(el("li", { class: marks.length ? "here" : "" },
			el("b", {}, s.stage), " " + s.name + (s.belt ? "" : " (no treadmill)"),
			marks.length ? el("small", {}, " ← " + marks.join(", ")) : ""));
	}
}

// What the programme says today, in words: the stage, why, what else is
// offered, when running is next due, and the physiotherapist advice.
function decision(box, obj) {
	box.replaceChildren();
	if (!obj.ok) {
		box.append(el("p", { class: "bad" }, obj.error || "unavailable"));
		return;
	}
	box.append(el("p", { class: "stage" }, el("b", {}, obj.stage), " " + obj.name +
		(obj.belt ? "" : " (no treadmill)")));
	box.append(el("p", {}, obj.message));
	if (obj.alternative)
		box.append(el("p", {}, el("small", {}, "or: "),
			obj.alternative.stage + " " + obj.alternative.name));
	if (obj.running_due)
		box.append(el("p", {}, el("small", {}, "next running session: "), obj.running_due));
	if (obj.refer)
		box.append(el("p", { class: "bad" },
			"Please see a pelvic-health physiotherapist before running again."));
	if (obj.next_day_pending)
		box.append(el("p", {}, el("small", {}, "the next-day question about the last session is open")));
}

async function loadToday() {
	const r = await api("GET", "next");
	decision($("t-next"), r.json);
	decision($("p-next"), r.json);
	ladder($("p-ladder"), r.json);
}

async function checkin(e) {
	e.preventDefault();
	const f = new FormData($("checkin"));
	const answers = [...f.entries()].map(([k, v]) => k + "=" + v).join(",");
	const r = await api("POST", "checkin", { answers });
	const box = $("t-decision");
	box.hidden = false;
	decision(box, r.json);
}

// ---- History ----
// Belt speed over the session, presses (red) and scale-backs (orange).
function drawSpeed(c) {
	const w = 600, h = 200, pts = c.samples;
	const g = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": "belt speed" });
	if (!pts.length)
		return g;
	const end = Math.max(pts[pts.length - 1][0], 1);
	const top = Math.max(...pts.map((p) => p[1]), 1) * 1.1;
	const x = (t) => (w * t / end).toFixed(1), y = (v) => (h - h * v / top).toFixed(1);
	for (const [list, color] of [[c.scalebacks, "#f80"], [c.presses, "#f33"]])
		for (const t of list)
			g.append(svg("line", { x1: x(t), x2: x(t), y1: 0, y2: h, stroke: color, "stroke-width": 3 }));
	g.append(svg("polyline", { points: pts.map((p) => x(p[0]) + "," + y(p[1])).join(" "),
		fill: "none", stroke: "#6cf", "stroke-width": 3 }));
	return g;
}

async function showSession(li, when) {
	const old = li.querySelector("svg");
	if (old) {
		old.remove();
		return;
	}
	const r = await api("GET", "history/" + when + "/speed");
	if (r.json.ok)
		li.append(drawSpeed(r.json));
	else
		li.append(el("p", { class: "bad" }, r.json.error || "unavailable"));
}

async function loadHistory() {
	const r = await api("GET", "history");
	const list = $("h-list");
	list.replaceChildren();
	for (const h of (r.json.entries || []).slice().reverse()) {
		const when = new Date(h.when_s * 1000).toLocaleString();
		const b = el("button", {}, el("b", {}, when), el("br"),
			(h.profile || h.type) + " · " + (h.outcome || "") + " · " + (h.presses || 0) + " press" +
			(h.presses === 1 ? "" : "es"));
		const li = el("li", {}, b);
		if (h.log)
			b.addEventListener("click", () => showSession(li, h.when_s));
		list.append(li);
	}
	if (!list.children.length)
		list.append(el("li", {}, r.json.ok ? "No sessions yet." : (r.json.error || "unavailable")));
}

// ---- Profiles ----
function drawProfile(p) {
	const w = 600, h = 160, top = Math.max(...p.segments.map((s) => s.speed_kmh), 1);
	const g = svg("svg", { viewBox: `0 0 ${w} ${h}`, role: "img", "aria-label": p.name });
	for (const s of p.segments) {
		const x = w * s.start_s / p.total_s, sw = w * s.duration_s / p.total_s;
		const sh = (h - 10) * s.speed_kmh / top;
		g.append(svg("rect", { x, y: h - sh, width: Math.max(1, sw - 1), height: sh,
			fill: s.jog ? "#f80" : "#3a6" }));
	}
	return g;
}

async function showProfile(file) {
	const r = await api("GET", "profiles/" + encodeURIComponent(file));
	const box = $("f-show");
	box.hidden = false;
	box.replaceChildren();
	if (!r.json.ok) {
		box.append(el("p", { class: "bad" }, r.json.error || "unavailable"));
		return;
	}
	box.append(el("h3", {}, r.json.name), drawProfile(r.json));
	const ol = el("ol", { class: "list" });
	for (const s of r.json.segments)
		ol.append(el("li", {}, clock(s.start_s) + "  " + s.phase + " " + s.pace + " " +
			clock(s.duration_s) + " at " + speed(s.speed_kmh)));
	box.append(ol);
	box.scrollIntoView();
}

async function loadProfiles() {
	const r = await api("GET", "profiles");
	const list = $("f-list");
	list.replaceChildren();
	for (const p of (r.json.profiles || [])) {
		const file = p.file.replace(/\.cfg$/, "");
		const b = el("button", {}, p.name + " · " + clock(p.total_s));
		if (!p.valid)
			b.classList.add("bad");
		b.addEventListener("click", () => showProfile(file));
		list.append(el("li", {}, b));
	}
}

// ---- pages ----
const loaders = { today: loadToday, history: loadHistory, programme: loadToday, profiles: loadProfiles };

function route() {
	const page = (location.hash || "#now").slice(1);
	for (const s of document.querySelectorAll(".page"))
		s.hidden = s.id !== page;
	for (const a of document.querySelectorAll("nav a"))
		a.classList.toggle("on", a.dataset.page === page);
	if (loaders[page])
		loaders[page]();
}

document.addEventListener("DOMContentLoaded", () => {
	for (const b of document.querySelectorAll("[data-kind]"))
		b.addEventListener("click", () => symptom(b.dataset.kind));
	for (const b of document.querySelectorAll("[data-post]"))
		b.addEventListener("click", () => post(b.dataset.post));
	holdButton(document.querySelector("[data-hold=resume]"), () => confirmed("resume"));
	holdButton($("start"), () => confirmed("start"));
	$("checkin").addEventListener("submit", checkin);
	const pain = document.querySelector("input[name=pain]");
	pain.addEventListener("input", () => { $("pain-v").textContent = pain.value; });
	window.addEventListener("hashchange", route);
	setConnected(false);
	route();
	connect();
	// A second's countdown on the page, from the last status.
	setInterval(() => { if (connected) renderNow(); }, 1000);
});
