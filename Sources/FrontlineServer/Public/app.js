// frontline serve: the page. Plain JavaScript, no libraries; everything comes from /api.
"use strict";

const $ = (id) => document.getElementById(id);
const DAY_MS = 86400000;
const ALL = [35.2, 29.0, 48.9, 37.9];       // the region "all", as the server defines it
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
  "September", "October", "November", "December"];

const state = {
  meta: null,
  date: null,          // "YYYY-MM-DD"
  compare: null,       // earlier date in compare mode, or null
  region: null,        // [minlon, minlat, maxlon, maxlat] as requested, or null for all
  theme: "wikipedia",
  labels: "en",
  places: null,        // /api/places for state.date, by id
  placeList: [],
  view: null,          // /api/view for the current region and size
  viewKey: "",
  selected: null,      // place id
  playing: false,
  imgSize: [0, 0],
};

// ---- dates ----
const toDay = (iso) => Math.round(Date.parse(iso + "T00:00:00Z") / DAY_MS);
const toISO = (n) => new Date(n * DAY_MS).toISOString().slice(0, 10);
function longDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${d} ${MONTHS[m - 1]} ${y}`;
}
function addMonths(iso, n) {
  const [y, m, d] = iso.split("-").map(Number);
  const t = new Date(Date.UTC(y, m - 1 + n, 1));
  const last = new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth() + 1, 0)).getUTCDate();
  t.setUTCDate(Math.min(d, last));
  return t.toISOString().slice(0, 10);
}
function clampDate(iso) {
  const n = Math.max(toDay(state.meta.from), Math.min(toDay(state.meta.to), toDay(iso)));
  return toISO(n);
}
const fmt = (v) => Math.round(v).toLocaleString("en-GB");

// ---- URL (permalink) ----
function readURL() {
  const p = new URLSearchParams(location.search);
  const d = p.get("date");
  if (d && /^\d{4}-\d{2}-\d{2}$/.test(d)) state.date = clampDate(d);
  const c = p.get("compare");
  if (c && /^\d{4}-\d{2}-\d{2}$/.test(c)) state.compare = clampDate(c);
  const r = (p.get("region") || "").split(",").map(Number);
  if (r.length === 4 && r.every(Number.isFinite) && r[0] < r[2] && r[1] < r[3]) state.region = r;
  if (p.get("theme") && state.meta.themes.includes(p.get("theme"))) state.theme = p.get("theme");
  if (["en", "ar", "both"].includes(p.get("labels"))) state.labels = p.get("labels");
  if (p.get("place")) state.selected = p.get("place");
}
function regionParam() {
  return state.region ? state.region.map((v) => v.toFixed(4)).join(",") : "all";
}
function permalink() {
  const p = new URLSearchParams();
  p.set("date", state.date);
  if (state.region) p.set("region", regionParam());
  if (state.compare) p.set("compare", state.compare);
  if (state.theme !== "wikipedia") p.set("theme", state.theme);
  if (state.labels !== "en") p.set("labels", state.labels);
  if (state.selected) p.set("place", state.selected);
  return location.pathname + "?" + p.toString();
}
function writeURL() {
  const url = permalink();
  history.replaceState(null, "", url);
  $("permalink").href = url;
}

// ---- API ----
async function api(path) {
  const r = await fetch(path);
  if (!r.ok) {
    let message = `${r.status} ${r.statusText}`;
    try { message = (await r.json()).error || message; } catch (_) { /* not JSON */ }
    throw new Error(message);
  }
  return r.json();
}
function showStatus(text, isError) {
  const s = $("status");
  s.textContent = text || "";
  s.classList.toggle("error", !!isError);
}

// ---- map ----
function mapSize() {
  const el = $("map");
  const dpr = Math.min(window.devicePixelRatio || 1, 3);
  const w = Math.max(320, Math.min(4000, Math.round(el.clientWidth * dpr)));
  const h = Math.max(240, Math.min(4000, Math.round(el.clientHeight * dpr)));
  return [w, h];
}
// The map on screen leaves out its title and legend (the page shows both); downloads keep them.
function mapQuery(format, onScreen) {
  const [w, h] = state.imgSize;
  const p = new URLSearchParams({ date: state.date, region: regionParam(), size: `${w}x${h}`, format });
  if (onScreen) p.set("panels", "none");
  if (state.compare) p.set("compare", state.compare);
  if (state.theme !== "wikipedia") p.set("theme", state.theme);
  if (state.labels !== "en") p.set("labels", state.labels);
  return "/api/map?" + p.toString();
}

let loadToken = 0;
function loadMap() {
  state.imgSize = mapSize();
  const token = ++loadToken;
  const src = mapQuery("png", true);
  const img = new Image();
  const slow = setTimeout(() => { if (token === loadToken) showStatus("Drawing the map…"); }, 350);
  const done = new Promise((resolve) => {
    img.onload = () => {
      clearTimeout(slow);
      if (token !== loadToken) return resolve(false);
      const el = $("map-img");
      el.src = src;
      el.alt = state.compare
        ? `Map of what changed hands between ${longDate(state.compare)} and ${longDate(state.date)}`
        : `Map of territorial control in Iraq and Syria on ${longDate(state.date)}`;
      el.dataset.date = state.date;
      resetPreview();
      showStatus("");
      resolve(true);
    };
    img.onerror = async () => {
      clearTimeout(slow);
      if (token !== loadToken) return resolve(false);
      let message = "The map could not be drawn.";
      try { const r = await fetch(src); message = (await r.json()).error || message; } catch (_) { /* keep the message */ }
      showStatus(message, true);
      resolve(false);
    };
  });
  img.src = src;
  loadView();
  updateDownloads();
  return done;
}

async function loadView() {
  const [w, h] = state.imgSize;
  const key = `${regionParam()}|${w}x${h}`;
  if (key === state.viewKey) return;
  state.viewKey = key;
  try {
    const v = await api(`/api/view?region=${regionParam()}&size=${w}x${h}`);
    if (state.viewKey === key) { state.view = v; placeMarker($("selected-marker"), state.selected); }
  } catch (e) { showStatus(e.message, true); }
}

// Pixel positions of places come from the server in image pixels; the image fills the map box.
function cssPoint(id) {
  if (!state.view || !state.view.places[id]) return null;
  const el = $("map");
  const [x, y] = state.view.places[id];
  return [x * el.clientWidth / state.imgSize[0], y * el.clientHeight / state.imgSize[1]];
}
function placeMarker(marker, id) {
  const p = id && cssPoint(id);
  if (!p) { marker.hidden = true; return; }
  marker.style.left = p[0] + "px";
  marker.style.top = p[1] + "px";
  marker.hidden = false;
}

// Longitude/latitude at a point of the map box, from the box the image shows.
function lonLatAt(x, y) {
  const el = $("map");
  const v = state.view ? state.view.visible : (state.region || ALL);
  return [v[0] + (v[2] - v[0]) * x / el.clientWidth, v[3] - (v[3] - v[1]) * y / el.clientHeight];
}
function currentRegion() { return state.region ? state.region.slice() : ALL.slice(); }
function degreesPerPixel() {
  const el = $("map");
  const v = state.view ? state.view.visible : currentRegion();
  return [(v[2] - v[0]) / el.clientWidth, (v[3] - v[1]) / el.clientHeight];
}
function setRegion(r) {
  const w = r[2] - r[0], h = r[3] - r[1];
  if (w > 16 || h > 12) { state.region = null; }  // as far out as the whole map: show all of it
  else {
    // Keep the centre over the mapped area.
    let cx = (r[0] + r[2]) / 2, cy = (r[1] + r[3]) / 2;
    cx = Math.max(ALL[0], Math.min(ALL[2], cx));
    cy = Math.max(ALL[1], Math.min(ALL[3], cy));
    state.region = [cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2];
  }
  writeURL();
  loadMap();
}
function pan(dx, dy) {   // in CSS pixels of the map box, as dragged
  const [dlon, dlat] = degreesPerPixel();
  const r = currentRegion();
  setRegion([r[0] - dx * dlon, r[1] + dy * dlat, r[2] - dx * dlon, r[3] + dy * dlat]);
}
function zoom(factor, x, y) {   // factor > 1 zooms in, about (x, y) in CSS pixels
  const el = $("map");
  if (x === undefined) { x = el.clientWidth / 2; y = el.clientHeight / 2; }
  const r = currentRegion();
  if (factor > 1 && (r[2] - r[0]) / factor < 0.25) return;
  const [lon, lat] = lonLatAt(x, y);
  setRegion([lon + (r[0] - lon) / factor, lat + (r[1] - lat) / factor, lon + (r[2] - lon) / factor, lat + (r[3] - lat) / factor]);
}

// Drag and wheel move and scale the drawn image at once; the new map replaces it when drawn.
const preview = { dx: 0, dy: 0, scale: 1, ox: 0, oy: 0 };
function applyPreview() {
  $("stage").style.transform =
    `translate(${preview.dx}px, ${preview.dy}px) translate(${preview.ox}px, ${preview.oy}px) scale(${preview.scale}) translate(${-preview.ox}px, ${-preview.oy}px)`;
}
function resetPreview() {
  Object.assign(preview, { dx: 0, dy: 0, scale: 1, ox: 0, oy: 0 });
  $("stage").style.transform = "";
  placeMarker($("selected-marker"), state.selected);
}

function setupMapInteraction() {
  const el = $("map");
  let drag = null;
  el.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || e.target.closest(".map-tools")) return;
    drag = { x: e.clientX, y: e.clientY, moved: false };
    el.setPointerCapture(e.pointerId);
  });
  el.addEventListener("pointermove", (e) => {
    if (drag) {
      const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      el.classList.add("dragging");
      hideTooltip();
      preview.dx = dx; preview.dy = dy;
      applyPreview();
      return;
    }
    hover(e);
  });
  el.addEventListener("pointerup", (e) => {
    if (!drag) return;
    const d = drag;
    drag = null;
    el.classList.remove("dragging");
    if (d.moved) pan(e.clientX - d.x, e.clientY - d.y);
    else {
      const id = nearestPlace(e);
      if (id) selectPlace(id);
    }
  });
  el.addEventListener("pointerleave", hideTooltip);
  let wheelTimer = null, wheelFactor = 1, wheelAt = null;
  el.addEventListener("wheel", (e) => {
    e.preventDefault();
    const box = el.getBoundingClientRect();
    const x = e.clientX - box.left, y = e.clientY - box.top;
    const step = e.deltaY < 0 ? 1.25 : 1 / 1.25;
    wheelFactor *= step;
    wheelAt = [x, y];
    Object.assign(preview, { scale: wheelFactor, ox: x, oy: y });
    applyPreview();
    clearTimeout(wheelTimer);
    wheelTimer = setTimeout(() => {
      const f = wheelFactor;
      wheelFactor = 1;
      zoom(f, wheelAt[0], wheelAt[1]);
    }, 250);
  }, { passive: false });
  el.addEventListener("keydown", (e) => {
    const step = 80;
    const keys = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (keys[e.key]) { e.preventDefault(); e.stopPropagation(); pan(...keys[e.key]); }
    else if (e.key === "+" || e.key === "=") { e.preventDefault(); e.stopPropagation(); zoom(2); }
    else if (e.key === "-" || e.key === "_") { e.preventDefault(); e.stopPropagation(); zoom(0.5); }
  });
  $("zoom-in").onclick = () => zoom(2);
  $("zoom-out").onclick = () => zoom(0.5);
  $("zoom-reset").onclick = () => { state.region = null; writeURL(); loadMap(); };
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(loadMap, 300); });
}

// ---- towns: hover and pick ----
function nearestPlace(e) {
  if (!state.view || !state.places) return null;
  const box = $("map").getBoundingClientRect();
  const x = e.clientX - box.left, y = e.clientY - box.top;
  let best = null, bestD = 12;
  for (const id in state.view.places) {
    const p = state.places[id];
    if (!p || !p.controller) continue;
    const c = cssPoint(id);
    const d = Math.hypot(c[0] - x, c[1] - y);
    if (d < bestD) { bestD = d; best = id; }
  }
  return best;
}
function hover(e) {
  const id = nearestPlace(e);
  if (!id) { hideTooltip(); return; }
  const p = state.places[id];
  const t = $("tooltip");
  t.replaceChildren();
  const en = document.createElement("strong");
  en.textContent = p.name;
  const ar = document.createElement("span");
  ar.className = "ar"; ar.lang = "ar"; ar.dir = "rtl";
  ar.textContent = p.name_ar;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = `${sideName(p.controller)} since ${longDate(p.since)} · click for sources`;
  t.append(en, " ", ar, who);
  const c = cssPoint(id);
  const el = $("map");
  t.hidden = false;
  t.style.left = Math.min(c[0] + 14, el.clientWidth - t.offsetWidth - 4) + "px";
  t.style.top = Math.max(4, c[1] - t.offsetHeight - 10) + "px";
  placeMarker($("marker"), id);
  el.style.cursor = "pointer";
}
function hideTooltip() {
  $("tooltip").hidden = true;
  $("marker").hidden = true;
  $("map").style.cursor = "";
}

function faction(id) { return state.meta.factions.find((f) => f.id === id); }
function sideName(id) {
  if (!id) return "no one yet";
  if (id === "contested") return state.meta.contested;
  const f = faction(id);
  return f ? f.name : id;
}
function colour(id, kind) {
  const f = faction(id);
  const c = f && (f.colours[state.theme] || Object.values(f.colours)[0]);
  return c ? c[kind] : "#999999";
}
function sideLabel(id) {
  const span = document.createElement("span");
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.style.background = id === "contested" ? "#ffffff" : colour(id, "dot");
  span.append(dot, sideName(id));
  return span;
}
function sourceLink(url, text) {
  const a = document.createElement("a");
  a.href = url;
  a.target = "_blank";
  a.rel = "noopener noreferrer";
  try { a.textContent = text || new URL(url).hostname.replace(/^www\./, ""); } catch (_) { a.textContent = text || url; }
  return a;
}

async function selectPlace(id) {
  state.selected = id;
  writeURL();
  placeMarker($("selected-marker"), id);
  const box = $("place");
  try {
    const h = await api(`/api/places/${encodeURIComponent(id)}`);
    if (state.selected !== id) return;
    renderPlace(h);
  } catch (e) {
    box.textContent = e.message;
  }
}
function renderPlace(h) {
  const box = $("place");
  box.replaceChildren();
  const now = state.places && state.places[h.id];
  const title = document.createElement("h3");
  title.textContent = h.name;
  const ar = document.createElement("p");
  ar.className = "ar"; ar.lang = "ar"; ar.dir = "rtl";
  ar.textContent = h.name_ar;
  const dl = document.createElement("dl");
  const add = (k, v) => {
    const dt = document.createElement("dt"); dt.textContent = k;
    const dd = document.createElement("dd"); dd.append(v);
    dl.append(dt, dd);
  };
  add(`On ${longDate(state.date)}`, now && now.controller ? sideLabel(now.controller) : "not yet in the timeline");
  if (now && now.since) add("Since", longDate(now.since));
  if (now && now.source) {
    const a = sourceLink(now.source);
    a.id = "place-source";
    add("Source", a);
  }
  add("Population", fmt(h.population));
  const head = document.createElement("h4");
  head.textContent = `History (${h.history.length} ${h.history.length === 1 ? "event" : "events"})`;
  head.style.margin = ".6rem 0 .2rem";
  const table = document.createElement("table");
  table.className = "history";
  const cap = document.createElement("caption");
  cap.className = "visually-hidden";
  cap.textContent = `Who held ${h.name}, with sources`;
  const thead = document.createElement("thead");
  thead.innerHTML = '<tr><th scope="col">From</th><th scope="col">Held by</th><th scope="col">Source</th></tr>';
  const tbody = document.createElement("tbody");
  for (const e of h.history) {
    const tr = document.createElement("tr");
    const d = document.createElement("td"); d.textContent = e.date; d.className = "num";
    const c = document.createElement("td"); c.append(sideLabel(e.controller));
    if (e.note) { c.title = e.note; }
    const s = document.createElement("td"); s.append(sourceLink(e.source));
    tr.append(d, c, s);
    if (now && now.since === e.date && now.controller === e.controller) tr.style.fontWeight = "600";
    tbody.append(tr);
  }
  table.append(cap, thead, tbody);
  box.append(title, ar, dl, head, table);
  box.closest(".panel").scrollIntoView({ block: "nearest" });
}

// ---- legend, compare ----
async function loadStats() {
  const date = state.date;
  try {
    const s = await api(`/api/stats?date=${date}`);
    if (date !== state.date) return;
    const tbody = $("legend").tBodies[0];
    tbody.replaceChildren();
    for (const f of s.factions) {
      const tr = document.createElement("tr");
      const name = document.createElement("td");
      const sw = document.createElement("span");
      sw.className = "swatch" + (f.id === "contested" ? " hatch" : "");
      if (f.id !== "contested") {
        sw.style.background = `linear-gradient(90deg, ${colour(f.id, "fill")} 50%, ${tint(colour(f.id, "fill"))} 50%)`;
      }
      name.append(sw, f.name);
      const held = document.createElement("td"); held.className = "num"; held.textContent = fmt(f.area_km2);
      const hint = document.createElement("td"); hint.className = "num"; hint.textContent = f.hinterland_km2 > 0.5 ? fmt(f.hinterland_km2) : "–";
      tr.append(name, held, hint);
      tr.dataset.side = f.id;
      tbody.append(tr);
    }
  } catch (e) { showStatus(e.message, true); }
}
// The hinterland tint the renderer uses: the side's colour mixed 55% towards the desert ground.
function tint(hex) {
  const a = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const desert = [0xF5, 0xEE, 0xDC];
  return "rgb(" + a.map((v, i) => Math.round(v + (desert[i] - v) * 0.55)).join(",") + ")";
}

async function loadPlaces() {
  const date = state.date;
  try {
    const p = await api(`/api/places?date=${date}`);
    if (date !== state.date) return;
    state.places = {};
    for (const x of p.places) state.places[x.id] = x;
    state.placeList = p.places;
    if (!$("place-names").children.length) {
      const frag = document.createDocumentFragment();
      for (const x of p.places) {
        const o = document.createElement("option");
        o.value = x.name;
        o.label = x.name_ar;
        frag.append(o);
      }
      $("place-names").append(frag);
    }
    if (state.selected && !state.playing) selectPlace(state.selected);
  } catch (e) { showStatus(e.message, true); }
}

async function loadCompare() {
  const box = $("compare-result");
  $("compare-on").checked = !!state.compare;
  $("compare-date").value = state.compare || $("compare-date").value;
  if (!state.compare) { box.hidden = true; return; }
  const from = state.compare, to = state.date;
  try {
    const c = await api(`/api/compare?from=${from}&to=${to}`);
    if (from !== state.compare || to !== state.date) return;
    const towns = new Set(c.changes.map((x) => x.place)).size;
    $("compare-summary").textContent = from === to
      ? "Both dates are the same: nothing changed."
      : `${longDate(from)} → ${longDate(to)}: ${c.changes.length} ${c.changes.length === 1 ? "change" : "changes"} of hands in ${towns} ${towns === 1 ? "town" : "towns"}` +
        (toDay(to) < toDay(from) ? " (the second date is earlier: the reverse comparison)." : ".");
    const sides = $("compare-sides").tBodies[0];
    sides.replaceChildren();
    for (const f of c.factions) {
      if (Math.abs(f.delta_km2) < 0.5 && Math.abs(f.hinterland_delta_km2) < 0.5) continue;
      const tr = document.createElement("tr");
      const n = document.createElement("td"); n.append(sideLabel(f.id));
      const signed = (v) => (v > 0.5 ? "+" : v < -0.5 ? "−" : "±") + fmt(Math.abs(v));
      const held = document.createElement("td"); held.className = "num"; held.textContent = signed(f.delta_km2);
      const hint = document.createElement("td"); hint.className = "num"; hint.textContent = signed(f.hinterland_delta_km2);
      tr.append(n, held, hint);
      sides.append(tr);
    }
    const tbody = $("changes").tBodies[0];
    tbody.replaceChildren();
    for (const x of c.changes) {
      const tr = document.createElement("tr");
      const d = document.createElement("td"); d.className = "num"; d.textContent = x.date;
      const n = document.createElement("td");
      const b = document.createElement("button");
      b.type = "button"; b.className = "linkish"; b.textContent = x.name;
      b.onclick = () => selectPlace(x.place);
      const w = document.createElement("span");
      w.className = "hands";
      w.append(sideLabel(x.from), " → ", sideLabel(x.to));
      n.append(b, w);
      const s = document.createElement("td"); s.className = "src"; s.append(sourceLink(x.source));
      tr.append(d, n, s);
      tbody.append(tr);
    }
    box.hidden = false;
  } catch (e) { showStatus(e.message, true); }
}

function updateDownloads() {
  const stem = state.compare ? `frontline-change-${state.compare}-to-${state.date}` : `frontline-${state.date}`;
  for (const f of ["png", "svg", "pdf"]) {
    const a = $("dl-" + f);
    a.href = mapQuery(f);
    a.download = `${stem}.${f}`;
  }
  $("dl-geojson").href = `/api/territory?date=${state.date}`;
  $("dl-geojson").download = `frontline-territory-${state.date}.geojson`;
}

// ---- date ----
function setDate(iso, opts = {}) {
  state.date = clampDate(iso);
  const n = toDay(state.date) - toDay(state.meta.from);
  $("slider").value = n;
  $("slider").setAttribute("aria-valuetext", longDate(state.date));
  $("date").value = state.date;
  $("title-date").textContent = longDate(state.date);
  $("title-sub").textContent = state.compare ? `What changed hands since ${longDate(state.compare)}` : "Who held what on this day";
  document.title = `frontline — ${longDate(state.date)}`;
  writeURL();
  const drawn = loadMap();
  loadStats();
  loadPlaces();
  if (!opts.skipCompare) loadCompare();
  return drawn;
}
function step(days, months) {
  stopPlaying();
  setDate(months ? addMonths(state.date, months) : toISO(toDay(state.date) + days));
}

let playTimer = null;
function stopPlaying() {
  if (!state.playing) return;
  state.playing = false;
  clearTimeout(playTimer);
  $("play").textContent = "▶ Play";
  $("play").setAttribute("aria-pressed", "false");
  $("title-date").setAttribute("aria-live", "polite");
  if (state.selected) selectPlace(state.selected);
  if (state.compare) loadCompare();
}
function startPlaying() {
  if (state.date === state.meta.to) setDate(state.meta.from);
  state.playing = true;
  $("play").textContent = "❚❚ Pause";
  $("play").setAttribute("aria-pressed", "true");
  $("title-date").setAttribute("aria-live", "off");
  tick();
}
// Up to four maps a second; each step waits for its map, so playback never outruns the server.
async function tick() {
  if (!state.playing) return;
  const perSecond = Number($("speed").value);
  const interval = perSecond < 4 ? 1000 / perSecond : 250;
  const days = perSecond < 4 ? 1 : Math.round(perSecond / 4);
  const started = performance.now();
  const next = toISO(Math.min(toDay(state.meta.to), toDay(state.date) + days));
  await setDate(next, { skipCompare: true });
  if (!state.playing) return;
  if (next === state.meta.to) { stopPlaying(); return; }
  playTimer = setTimeout(tick, Math.max(0, interval - (performance.now() - started)));
}

function setupControls() {
  const m = state.meta;
  const slider = $("slider");
  slider.max = toDay(m.to) - toDay(m.from);
  for (const id of ["date", "compare-date"]) { $(id).min = m.from; $(id).max = m.to; }
  slider.addEventListener("input", () => { stopPlaying(); setDate(toISO(toDay(m.from) + Number(slider.value))); });
  $("date").addEventListener("change", () => { if ($("date").value) { stopPlaying(); setDate($("date").value); } });
  $("back-day").onclick = () => step(-1);
  $("fwd-day").onclick = () => step(1);
  $("back-week").onclick = () => step(-7);
  $("fwd-week").onclick = () => step(7);
  $("back-month").onclick = () => step(0, -1);
  $("fwd-month").onclick = () => step(0, 1);
  $("play").onclick = () => (state.playing ? stopPlaying() : startPlaying());
  $("compare-on").addEventListener("change", () => {
    if ($("compare-on").checked) {
      state.compare = $("compare-date").value || addMonths(state.date, -6);
      state.compare = clampDate(state.compare);
    } else state.compare = null;
    setDate(state.date);
    if (state.compare) $("compare-head").closest(".panel").scrollIntoView({ block: "nearest" });
  });
  $("compare-date").addEventListener("change", () => {
    if (!$("compare-date").value) return;
    if ($("compare-on").checked) { state.compare = clampDate($("compare-date").value); setDate(state.date); }
  });
  const theme = $("theme");
  for (const t of m.themes) {
    const o = document.createElement("option");
    o.value = t; o.textContent = t === "colourblind" ? "Colour-blind safe" : t === "wikipedia" ? "Wikipedia (usual)" : t;
    theme.append(o);
  }
  theme.value = state.theme;
  theme.onchange = () => { state.theme = theme.value; setDate(state.date); };
  $("labels").value = state.labels;
  $("labels").onchange = () => { state.labels = $("labels").value; setDate(state.date); };
  $("find").addEventListener("change", findPlace);
  $("find").addEventListener("keydown", (e) => { if (e.key === "Enter") findPlace(); });
  $("copy-link").onclick = async () => {
    const url = location.origin + permalink();
    try { await navigator.clipboard.writeText(url); $("copy-link").textContent = "Copied"; }
    catch (_) { prompt("Copy this link:", url); }
    setTimeout(() => { $("copy-link").textContent = "Copy link"; }, 1500);
  };
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (t.closest && t.closest("input, select, textarea, #map")) return;
    if (e.key === " " && t.tagName === "BUTTON") return;
    const moves = { ArrowLeft: e.shiftKey ? [-7] : [-1], ArrowRight: e.shiftKey ? [7] : [1], PageUp: [0, -1], PageDown: [0, 1] };
    if (moves[e.key]) { e.preventDefault(); step(...moves[e.key]); }
    else if (e.key === "Home") { e.preventDefault(); stopPlaying(); setDate(m.from); }
    else if (e.key === "End") { e.preventDefault(); stopPlaying(); setDate(m.to); }
    else if (e.key === " ") { e.preventDefault(); state.playing ? stopPlaying() : startPlaying(); }
  });
  // Year ticks under the slider.
  const ticks = $("ticks");
  const span = toDay(m.to) - toDay(m.from);
  for (let y = Number(m.from.slice(0, 4)) + 1; y <= Number(m.to.slice(0, 4)); y++) {
    const s = document.createElement("span");
    s.textContent = y;
    s.style.left = ((toDay(`${y}-01-01`) - toDay(m.from)) / span * 100) + "%";
    ticks.append(s);
  }
  $("credits").textContent = `${m.places} places, ${m.events} dated events, each with its source. ${m.attribution}`;
}
function findPlace() {
  const q = $("find").value.trim().toLowerCase();
  if (!q) return;
  const p = state.placeList.find((x) => x.name.toLowerCase() === q || x.name_ar === q || x.id === q)
    || state.placeList.find((x) => x.name.toLowerCase().startsWith(q));
  if (p) selectPlace(p.id);
  else $("place").textContent = `No town called “${$("find").value}” in the data.`;
}

async function start() {
  try {
    state.meta = await api("/api/meta");
  } catch (e) {
    $("title-date").textContent = "The server did not answer";
    showStatus(e.message, true);
    return;
  }
  $("dataset-title").textContent = state.meta.title;
  state.date = "2017-11-19" >= state.meta.from && "2017-11-19" <= state.meta.to ? "2017-11-19" : state.meta.to;
  readURL();
  setupControls();
  setupMapInteraction();
  if (state.compare) $("compare-date").value = state.compare;
  setDate(state.date);
}
start();
