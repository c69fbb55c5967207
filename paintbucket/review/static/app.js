// pbc review: browser side. Plain JS, no build step; talks to the JSON API in app.py.
"use strict";

// A click on a line pixel selects the nearest segment within this many screen pixels.
const HIT_RADIUS = 6;
// Segments as near as the nearest to within this many screen pixels count as tied; the
// smallest wins (a thin hair curl beside a large region).
const HIT_TIE = 1;
// A press that moves further than this (screen pixels) pans instead of clicking.
const DRAG_THRESHOLD = 4;
const MAX_ZOOM = 32;
const ZOOM_STEPS = [0.05, 0.1, 0.125, 0.25, 1 / 3, 0.5, 2 / 3, 1, 1.5, 2, 3, 4, 6, 8, 12, 16, 24, 32];
// The selected segment's marker is at least this large on screen, so 1 px shows.
const MARKER_MIN = 18;
const MARKER_PAD = 5;
const MARKER_COLOR = "#ffc800";
const PROGRESS_POLL_MS = 250;

const state = {
  clip: null,        // /api/clip
  frames: [],        // /api/frames
  queue: [],         // /api/queue
  name: null,        // current frame
  info: null,        // current frame's result JSON
  ids: null,         // Int32Array segment id per pixel
  areas: null,       // Int32Array pixel count per segment id
  width: 0,
  height: 0,
  images: { line: null, result: null, joins: null },  // joins: closegaps' lines
  overlay: null,     // full-size canvas: hatching and the selected segment
  selected: 0,       // selected segment id (0 = none)
  segment: null,     // /api/frames/<name>/segments/<id>
  version: 0,        // cache buster for images
  view: { zoom: 1, x: 0, y: 0, fit: true },
  drag: null,
  space: false,
  working: false,    // a long operation runs: conflicting actions are locked
  actions: 0,        // actions running (run)
};

const $ = (id) => document.getElementById(id);
// Session token the server put into the page; every /api/ request must carry it.
const TOKEN = document.querySelector('meta[name="pbc-token"]').content;

// The page's state for scripts and tests: "working" while a long operation runs,
// "busy" while any action runs, else "ready".
function showState() {
  document.body.dataset.state = state.working ? "working" : state.actions > 0 ? "busy" : "ready";
}

function say(text, isError = false) {
  const el = $("message");
  el.textContent = text;
  el.title = text;  // the line never wraps; the whole text is in the tooltip
  el.className = isError ? "error" : "";
}

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, {
      headers: { "Content-Type": "application/json", "X-PBC-Token": TOKEN },
      ...options,
    });
  } catch (error) {
    throw new Error("the review server does not answer; has pbc review stopped? (see its terminal)");
  }
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    const error = new Error(body.error || `HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return body;
}

const post = (path, body = {}) => api(path, { method: "POST", body: JSON.stringify(body) });
const framePath = (name) => `/api/frames/${encodeURIComponent(name)}`;
// <img> cannot send headers, so image URLs carry the token as a query parameter.
const imageUrl = (name, kind, version) =>
  `${framePath(name)}/${kind}.png?v=${version}&token=${encodeURIComponent(TOKEN)}`;
const rgbaCss = (c) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${c[3] / 255})`;
const sameColor = (a, b) => a && b && a.every((v, i) => v === b[i]);
const hex2 = (v) => v.toString(16).padStart(2, "0");
const hexColor = (c) => `#${hex2(c[0])}${hex2(c[1])}${hex2(c[2])}${c[3] === 255 ? "" : hex2(c[3])}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A palette color's name (colorbook or palette file), else its hex code.
function colorLabel(color) {
  const entry = state.clip.palette.find((e) => sameColor(e.color, color) || sameColor(e.key, color));
  if (entry && entry.name) return entry.name;
  return color[3] === 0 ? "transparent" : hexColor(color);
}

function loadImage(src) {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`cannot load ${src}`));
    image.src = src;
  });
}

function threshold() {
  const value = parseFloat($("threshold").value);
  return Number.isFinite(value) ? value : 0.8;
}

function minArea() {
  const value = parseInt($("min-area").value, 10);
  return Number.isFinite(value) && value >= 1 ? value : state.clip.min_area;
}

// ------------------------------------------------------------------ view: zoom and pan

function viewportSize() {
  const box = $("line-view").getBoundingClientRect();
  return { w: Math.floor(box.width), h: Math.floor(box.height) };
}

function fitZoom() {
  const { w, h } = viewportSize();
  if (!state.width || !w || !h) return 1;
  return Math.min(w / state.width, h / state.height);
}

function setView(zoom, x, y, fit = false) {
  zoom = Math.min(MAX_ZOOM, Math.max(Math.min(0.05, fitZoom()), zoom));
  if (zoom >= 1) {
    // Whole screen pixels: at 100% and above every image pixel covers the same block.
    x = Math.round(x);
    y = Math.round(y);
  }
  state.view = { zoom, x, y, fit };
  scheduleRender();
}

function fit() {
  const zoom = fitZoom();
  const { w, h } = viewportSize();
  setView(zoom, (w - state.width * zoom) / 2, (h - state.height * zoom) / 2, true);
}

// Zoom to ``zoom`` keeping the image point under screen point (sx, sy) in place.
function zoomAt(sx, sy, zoom) {
  const { view } = state;
  const ix = (sx - view.x) / view.zoom;
  const iy = (sy - view.y) / view.zoom;
  const z = Math.min(MAX_ZOOM, Math.max(Math.min(0.05, fitZoom()), zoom));
  setView(z, sx - ix * z, sy - iy * z);
}

function zoomStep(direction) {
  const z = state.view.zoom;
  const next = direction > 0
    ? ZOOM_STEPS.find((s) => s > z * 1.01) || MAX_ZOOM
    : [...ZOOM_STEPS].reverse().find((s) => s < z / 1.01) || ZOOM_STEPS[0];
  const { w, h } = viewportSize();
  zoomAt(w / 2, h / 2, next);
}

function oneToOne() {
  const { w, h } = viewportSize();
  zoomAt(w / 2, h / 2, 1);
}

function centerOn(ix, iy, zoom) {
  const { w, h } = viewportSize();
  setView(zoom, w / 2 - ix * zoom, h / 2 - iy * zoom);
}

function zoomToSegment() {
  const seg = state.segment;
  if (!seg || seg.frame !== state.name) {
    say("select a segment first");
    return;
  }
  const [x0, y0, x1, y1] = seg.bbox;
  const { w, h } = viewportSize();
  const span = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const zoom = Math.max(fitZoom(), Math.min(16, Math.min(w, h) / (span * 4)));
  centerOn((x0 + x1 + 1) / 2, (y0 + y1 + 1) / 2, zoom);
}

// Pan (at the same zoom) so the selected segment is on screen.
function ensureVisible() {
  const seg = state.segment;
  if (!seg || seg.frame !== state.name) return;
  const [x0, y0, x1, y1] = seg.bbox;
  const { zoom, x, y } = state.view;
  const { w, h } = viewportSize();
  const inside = x + x0 * zoom >= 0 && y + y0 * zoom >= 0
    && x + (x1 + 1) * zoom <= w && y + (y1 + 1) * zoom <= h;
  if (!inside) centerOn((x0 + x1 + 1) / 2, (y0 + y1 + 1) / 2, zoom);
}

// Drawing is synchronous, so a view change is on screen when its event returns.
function scheduleRender() {
  render();
}

function render() {
  drawView($("line-canvas"), state.images.line);
  drawView($("result-canvas"), state.images.result);
  const { zoom, x, y } = state.view;
  const views = $("views").dataset;  // for scripts and tests: the current transform
  views.zoom = zoom;
  views.x = x;
  views.y = y;
  $("zoom-level").textContent = `${Math.round(zoom * 1000) / 10}%`;
}

function drawView(canvas, image) {
  // The canvas covers its viewport in whole device pixels, never stretched: one canvas
  // pixel is one screen pixel.
  const dpr = window.devicePixelRatio || 1;
  const box = canvas.parentElement.getBoundingClientRect();
  const width = Math.floor(box.width * dpr);
  const height = Math.floor(box.height * dpr);
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
    canvas.style.width = `${width / dpr}px`;
    canvas.style.height = `${height / dpr}px`;
  }
  const ctx = canvas.getContext("2d");
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = "#3a3d46";
  ctx.fillRect(0, 0, width, height);
  if (!image) return;
  const { zoom, x, y } = state.view;
  ctx.setTransform(zoom * dpr, 0, 0, zoom * dpr, x * dpr, y * dpr);
  ctx.fillStyle = "#fff";  // transparent paper shows white
  ctx.fillRect(0, 0, state.width, state.height);
  // Below 100% a high-quality (mipmapped) reduction keeps 1-px lines whole; from 100%
  // up, no smoothing: every image pixel is a sharp block of its exact color.
  ctx.imageSmoothingEnabled = zoom < 1;
  ctx.imageSmoothingQuality = "high";
  ctx.drawImage(image, 0, 0);
  if (state.overlay && $("show-overlay").checked) ctx.drawImage(state.overlay, 0, 0);
  if (state.images.joins && $("show-joins").checked) ctx.drawImage(state.images.joins, 0, 0);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  drawMarker(ctx);
}

// A screen-space frame around the selected segment: visible at any zoom, even for 1 px.
function drawMarker(ctx) {
  const seg = state.segment;
  if (!seg || seg.frame !== state.name) return;
  const [x0, y0, x1, y1] = seg.bbox;
  const { zoom, x, y } = state.view;
  const cx = x + ((x0 + x1 + 1) / 2) * zoom;
  const cy = y + ((y0 + y1 + 1) / 2) * zoom;
  const hw = Math.max(((x1 - x0 + 1) * zoom) / 2 + MARKER_PAD, MARKER_MIN / 2);
  const hh = Math.max(((y1 - y0 + 1) * zoom) / 2 + MARKER_PAD, MARKER_MIN / 2);
  ctx.lineWidth = 4;
  ctx.strokeStyle = "rgba(0, 0, 0, 0.75)";
  ctx.strokeRect(cx - hw, cy - hh, 2 * hw, 2 * hh);
  ctx.lineWidth = 2;
  ctx.strokeStyle = MARKER_COLOR;
  ctx.strokeRect(cx - hw, cy - hh, 2 * hw, 2 * hh);
}

// Hatching of low-confidence segments and the selected one, at image size.
function drawOverlay() {
  const { ids, info, width, height } = state;
  if (!ids || !info) return;
  const low = new Uint8Array(info.num_segments + 1);
  const reviewed = new Set(info.reviewed || []);
  const t = threshold();
  for (const [key, value] of Object.entries(info.confidence)) {
    const sid = Number(key);
    if (value < t && !reviewed.has(sid)) low[sid] = 1;
  }
  const canvas = state.overlay || document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const image = ctx.createImageData(width, height);
  const data = image.data;
  const sel = state.selected;
  const differs = (i, dx, dy) => {
    const x = (i % width) + dx;
    const y = Math.floor(i / width) + dy;
    return x < 0 || y < 0 || x >= width || y >= height || ids[y * width + x] !== sel;
  };
  for (let i = 0; i < ids.length; i++) {
    const sid = ids[i];
    if (sid === 0) continue;
    const stripe = ((i % width) + Math.floor(i / width)) % 8;
    if (sid === sel) {
      // Selected: its outline in yellow and a light hatch, so its color stays visible.
      const edge = differs(i, -1, 0) || differs(i, 1, 0) || differs(i, 0, -1) || differs(i, 0, 1);
      if (edge) data.set([255, 200, 0, 255], 4 * i);
      else if (stripe < 2) data.set([255, 210, 0, 200], 4 * i);
    } else if (low[sid] && stripe < 3) {
      data.set([255, 0, 60, 190], 4 * i);  // low confidence: red diagonal hatching
    }
  }
  ctx.putImageData(image, 0, 0);
  state.overlay = canvas;
  scheduleRender();
}

// ------------------------------------------------------------------ hit testing

// The segment under image point (ix, iy); on a line pixel the nearest segment within
// HIT_RADIUS screen pixels (ties within HIT_TIE: the smallest), else 0.
function segmentAt(ix, iy) {
  const { ids, width, height, areas } = state;
  const px = Math.floor(ix);
  const py = Math.floor(iy);
  if (px >= 0 && py >= 0 && px < width && py < height && ids[py * width + px] !== 0) {
    return ids[py * width + px];
  }
  const zoom = state.view.zoom;
  const reach = HIT_RADIUS / zoom;  // in image pixels
  const r = Math.ceil(reach);
  const found = new Map();  // segment id -> nearest distance (image pixels)
  for (let y = Math.max(0, py - r); y <= Math.min(height - 1, py + r); y++) {
    for (let x = Math.max(0, px - r); x <= Math.min(width - 1, px + r); x++) {
      const sid = ids[y * width + x];
      if (sid === 0) continue;
      // Distance from the click to the nearest point of pixel (x, y).
      const dx = Math.max(x - ix, 0, ix - (x + 1));
      const dy = Math.max(y - iy, 0, iy - (y + 1));
      const d = Math.hypot(dx, dy);
      if (d <= reach && d < (found.get(sid) ?? Infinity)) found.set(sid, d);
    }
  }
  if (!found.size) return 0;
  const nearest = Math.min(...found.values());
  let best = 0;
  for (const [sid, d] of found) {
    if (d <= nearest + HIT_TIE / zoom && (!best || areas[sid] < areas[best])) best = sid;
  }
  return best;
}

function clickAt(canvas, clientX, clientY) {
  if (!state.ids || state.working) return;
  const rect = canvas.getBoundingClientRect();
  const { zoom, x, y } = state.view;
  const ix = (clientX - rect.left - x) / zoom;
  const iy = (clientY - rect.top - y) / zoom;
  if (ix < 0 || iy < 0 || ix >= state.width || iy >= state.height) return;
  const sid = segmentAt(ix, iy);
  if (sid === 0) {
    say(`no segment within ${HIT_RADIUS} px of that line; zoom in (wheel, +)`);
    return;
  }
  run(() => select(state.name, sid));
}

function onPointerDown(event) {
  if (event.button !== 0 && event.button !== 1) return;
  const canvas = event.currentTarget;
  canvas.setPointerCapture(event.pointerId);
  state.drag = {
    canvas,
    button: event.button,
    startX: event.clientX,
    startY: event.clientY,
    x: state.view.x,
    y: state.view.y,
    panning: state.space || event.button === 1,
  };
  event.preventDefault();
}

function onPointerMove(event) {
  const drag = state.drag;
  if (!drag) return;
  const dx = event.clientX - drag.startX;
  const dy = event.clientY - drag.startY;
  if (!drag.panning && Math.hypot(dx, dy) > DRAG_THRESHOLD) drag.panning = true;
  if (drag.panning) setView(state.view.zoom, drag.x + dx, drag.y + dy);
}

function onPointerUp(event) {
  const drag = state.drag;
  if (!drag) return;
  state.drag = null;
  if (!drag.panning && drag.button === 0) clickAt(drag.canvas, event.clientX, event.clientY);
}

function onWheel(event) {
  event.preventDefault();
  const rect = event.currentTarget.getBoundingClientRect();
  const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? 400 : 1;
  const factor = Math.exp(-event.deltaY * lines * 0.0015);
  zoomAt(event.clientX - rect.left, event.clientY - rect.top, state.view.zoom * factor);
}

// ------------------------------------------------------------------ panels

function swatch(color, title, current) {
  const button = document.createElement("button");
  button.className = "swatch" + (current ? " current" : "");
  button.title = title;
  button.dataset.color = color.join(",");
  const fill = document.createElement("i");
  fill.style.background = rgbaCss(color);
  button.appendChild(fill);
  return button;
}

function renderSegmentPanel() {
  const seg = state.segment;
  const candidates = $("candidates");
  const palette = $("palette");
  candidates.replaceChildren();
  palette.replaceChildren();
  for (const entry of state.clip.palette) {
    const button = swatch(entry.color, `${colorLabel(entry.color)} (${hexColor(entry.color)})`,
      seg && sameColor(entry.color, seg.color));
    button.addEventListener("click", () => paint(entry.color));
    palette.appendChild(button);
  }
  if (!seg) {
    $("segment-summary").textContent = "Click a segment, or press n.";
    return;
  }
  $("segment-summary").textContent =
    `frame ${seg.frame}, segment ${seg.segment}: confidence ${seg.confidence.toFixed(2)}` +
    `, ${seg.area} px${seg.reviewed ? ", reviewed" : ""}${seg.keyframe ? " (keyframe)" : ""}`;
  seg.candidates.forEach((cand, k) => {
    const row = document.createElement("button");
    row.className = "candidate";
    row.dataset.color = cand.color.join(",");
    row.appendChild(swatch(cand.color, hexColor(cand.color), sameColor(cand.color, seg.color)));
    const label = document.createElement("span");
    label.textContent = `${k + 1}. ${(cand.probability * 100).toFixed(0)}%  ${cand.name || colorLabel(cand.color)}`;
    if (!cand.name) label.className = "unnamed";
    row.appendChild(label);
    row.addEventListener("click", () => paint(cand.color));
    candidates.appendChild(row);
  });
}

// Where a frame's colors came from, as the result JSON says: its chained reference and,
// in anchored mode, the references fused with it.
function colorSource(frame) {
  if (frame.keyframe || !frame.reference) return "";
  const fused = frame.fused.length ? `, fused with ${frame.fused.join(", ")}` : "";
  return `; colored from ${frame.reference}${fused}`;
}

function renderFilmstrip() {
  const strip = $("filmstrip");
  strip.replaceChildren();
  for (const frame of state.frames) {
    const button = document.createElement("button");
    button.className = "thumb" + (frame.name === state.name ? " current" : "");
    button.dataset.frame = frame.name;
    button.title = `frame ${frame.name}: ${frame.uncertain} uncertain regions, ${frame.specks} specks` +
      colorSource(frame);
    const image = document.createElement("img");
    image.src = imageUrl(frame.name, "result", state.version);
    image.alt = frame.name;
    button.appendChild(image);
    const label = document.createElement("span");
    label.textContent = frame.name;
    button.appendChild(label);
    const badge = document.createElement("span");
    if (frame.keyframe) {
      badge.className = "badge key";
      badge.textContent = "key";
    } else if (frame.uncertain > 0) {
      badge.className = "badge";
      badge.textContent = frame.uncertain;
    }
    if (badge.textContent) button.appendChild(badge);
    button.addEventListener("click", () => run(() => showFrame(frame.name)));
    strip.appendChild(button);
  }
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  const specks = state.queue.filter((item) => item.speck).length;
  const regions = state.queue.length - specks;
  $("queue-count").textContent = specks ? `(${regions} + ${specks} specks)` : `(${regions})`;
  // Counts per frame: regions and specks below the threshold.
  const chips = $("queue-frames");
  chips.replaceChildren();
  for (const frame of state.frames) {
    if (frame.keyframe || (!frame.uncertain && !frame.specks)) continue;
    const chip = document.createElement("button");
    chip.className = "chip" + (frame.name === state.name ? " current" : "");
    chip.dataset.frame = frame.name;
    chip.dataset.regions = frame.uncertain;
    chip.dataset.specks = frame.specks;
    chip.title = `frame ${frame.name}: ${frame.uncertain} regions and ${frame.specks} specks to review`;
    chip.textContent = `${frame.name}: ${frame.uncertain}`;
    if (frame.specks) {
      const small = document.createElement("small");
      small.textContent = ` +${frame.specks}`;
      chip.appendChild(small);
    }
    chip.addEventListener("click", () => run(() => showFrame(frame.name)));
    chips.appendChild(chip);
  }
  let headed = false;
  for (const item of state.queue.slice(0, 500)) {
    if (item.speck && !headed) {
      headed = true;
      const heading = document.createElement("li");
      heading.className = "speck-heading";
      heading.textContent = `specks below ${minArea()} px`;
      list.appendChild(heading);
    }
    const li = document.createElement("li");
    li.dataset.frame = item.frame;
    li.dataset.segment = item.segment;
    li.className = (item.speck ? "speck" : "") +
      (item.frame === state.name && item.segment === state.selected ? " current" : "");
    const text = document.createElement("span");
    text.textContent = `${item.frame} #${item.segment} — ${item.confidence.toFixed(2)}, ${item.area ?? "?"} px`;
    li.appendChild(text);
    const zoom = document.createElement("button");
    zoom.className = "zoom-to";
    zoom.title = "select and zoom to this segment";
    zoom.textContent = "⌕";
    zoom.addEventListener("click", (event) => {
      event.stopPropagation();
      run(async () => {
        await select(item.frame, item.segment);
        zoomToSegment();
      });
    });
    li.appendChild(zoom);
    li.addEventListener("click", () => run(() => select(item.frame, item.segment, true)));
    list.appendChild(li);
  }
}

function renderPaletteEditor() {
  const rows = $("palette-rows");
  rows.replaceChildren();
  $("palette-note").textContent = state.clip.colorbook
    ? "Names come from colorbook.yml. A new color changes every non-key frame (one undo step)."
    : "Name the colors here (saved in .review/palette.json). A new color changes every non-key frame (one undo step).";
  for (const entry of state.clip.palette) {
    const row = document.createElement("div");
    row.className = "palette-row";
    row.dataset.color = entry.color.join(",");
    row.dataset.key = entry.key.join(",");
    row.appendChild(swatch(entry.color, hexColor(entry.color), false));
    const name = document.createElement("input");
    name.className = "palette-name";
    name.type = "text";
    name.maxLength = 60;
    name.value = entry.name || "";
    name.placeholder = entry.color[3] === 0 ? "transparent" : hexColor(entry.color);
    name.disabled = entry.named_by === "colorbook";
    name.addEventListener("change", () => renameColor(entry.color, name.value));
    row.appendChild(name);
    const picker = document.createElement("input");
    picker.className = "palette-color";
    picker.type = "color";
    picker.value = hexColor([...entry.color.slice(0, 3), 255]);
    picker.title = "new color for the whole cut";
    picker.addEventListener("change", () => recolor(entry.color, picker.value));
    row.appendChild(picker);
    rows.appendChild(row);
  }
}

// ------------------------------------------------------------------ loading

async function refreshLists() {
  const t = threshold();
  const hide = $("hide-specks").checked ? "hide" : "after";
  const query = `threshold=${t}&min_area=${minArea()}`;
  [state.frames, state.queue] = await Promise.all([
    api(`/api/frames?${query}`),
    api(`/api/queue?${query}&limit=5000&specks=${hide}&sort=${$("queue-sort").value}`),
  ]);
  renderFilmstrip();
  renderQueue();
}

async function refreshPalette() {
  state.clip.palette = await api("/api/palette");
  renderPaletteEditor();
}

async function showFrame(name, keepSelection = false) {
  const base = framePath(name);
  const v = ++state.version;
  const closesGaps = state.clip && state.clip.seg_method === "closegaps";
  const [info, line, result, segments, joins] = await Promise.all([
    api(base),
    loadImage(imageUrl(name, "line", v)),
    loadImage(imageUrl(name, "result", v)),
    loadImage(imageUrl(name, "segments", v)),
    closesGaps ? loadImage(imageUrl(name, "joins", v)) : null,
  ]);
  const firstFrame = !state.name;
  state.name = name;
  state.info = info;
  state.width = result.width;
  state.height = result.height;
  state.images = { line, result, joins };
  state.ids = decodeSegments(segments);
  state.areas = new Int32Array(info.num_segments + 1);
  for (let i = 0; i < state.ids.length; i++) state.areas[state.ids[i]]++;
  if (firstFrame || state.view.fit) fit();
  if (!keepSelection || !state.selected || state.selected > info.num_segments) {
    state.selected = 0;
    state.segment = null;
  } else {
    state.segment = await api(`${base}/segments/${state.selected}`);
  }
  drawOverlay();
  renderSegmentPanel();
  await refreshLists();
}

function decodeSegments(image) {
  const canvas = document.createElement("canvas");
  canvas.width = image.width;
  canvas.height = image.height;
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  ctx.drawImage(image, 0, 0);
  const rgba = ctx.getImageData(0, 0, image.width, image.height).data;
  const ids = new Int32Array(image.width * image.height);
  for (let i = 0; i < ids.length; i++) {
    ids[i] = rgba[4 * i] * 65536 + rgba[4 * i + 1] * 256 + rgba[4 * i + 2];
  }
  return ids;
}

async function select(name, segment, reveal = false) {
  if (name !== state.name) await showFrame(name);
  state.selected = segment;
  state.segment = await api(`${framePath(name)}/segments/${segment}`);
  drawOverlay();
  renderSegmentPanel();
  renderQueue();
  if (reveal) ensureVisible();
}

function deselect() {
  state.selected = 0;
  state.segment = null;
  drawOverlay();
  renderSegmentPanel();
  renderQueue();
}

// ------------------------------------------------------------------ actions

async function run(action) {
  if (state.working) return;
  state.actions++;
  showState();
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  } finally {
    state.actions--;
    showState();
  }
}

// Lock everything that would conflict with a long operation (the server refuses it
// too); zoom and pan stay free.
function lock(on) {
  state.working = on;
  showState();
  const controls = "nav button, nav input, aside button, aside input, aside select, #filmstrip button";
  for (const el of document.querySelectorAll(controls)) el.disabled = on;
  if (!on && state.clip) renderPaletteEditor();  // colorbook-named entries stay locked
  $("progress").hidden = !on;
}

function showProgress(task) {
  if (!task) return;
  const bar = $("progress");
  bar.max = Math.max(1, task.total);
  bar.value = task.done;
  say(`${task.text} · ${task.elapsed.toFixed(1)} s`);
}

// Run a long operation (within ``run``): lock the page and show the server's progress
// until it ends.
async function runLong(label, request) {
  lock(true);
  say(`${label}…`);
  let polling = true;
  const poll = (async () => {
    while (polling) {
      try {
        const progress = await api("/api/progress");
        if (polling && progress.task) showProgress(progress.task);
      } catch (error) {
        // The request itself reports failures.
      }
      await sleep(PROGRESS_POLL_MS);
    }
  })();
  try {
    return await request();
  } finally {
    polling = false;
    await poll;
    lock(false);
  }
}

// Wait for ``pbc review`` to finish colorizing missing results, showing its progress.
async function waitUntilReady() {
  let progress = await api("/api/progress");
  if (progress.ready) return;
  lock(true);
  try {
    while (!progress.ready) {
      if (progress.task) showProgress(progress.task);
      else if (progress.last && progress.last.error) throw new Error(`the review could not start: ${progress.last.error}`);
      else say("starting…");
      await sleep(PROGRESS_POLL_MS);
      progress = await api("/api/progress");
    }
  } finally {
    lock(false);
  }
}

function paint(color) {
  return run(async () => {
    if (!state.segment) throw new Error("select a segment first");
    const { frame, segment } = state.segment;
    await post(`${framePath(frame)}/segments/${segment}/paint`, { color });
    await showFrame(frame, true);
    suggestPropagate(true);
    say(`painted segment ${segment} of frame ${frame} ${colorLabel(color)}; press p to re-propagate the following frames`);
  });
}

function accept() {
  return run(async () => {
    if (!state.segment) throw new Error("select a segment first");
    const { frame, segment } = state.segment;
    await post(`${framePath(frame)}/segments/${segment}/accept`);
    await showFrame(frame, true);
    say(`accepted segment ${segment} of frame ${frame}`);
    await nextUncertain(false);
  });
}

function undo() {
  return run(async () => {
    const record = await post("/api/undo");
    await refreshPalette();
    const frames = record.frames;
    const frame = frames.includes(state.name) || !frames.length ? state.name : frames[0];
    await showFrame(frame, true);
    suggestPropagate(false);
    say(`undid ${record.action}${frames.length ? ` (${frames.join(", ")})` : ""}`);
  });
}

function propagate() {
  return run(async () => {
    if (!state.name) return;
    const source = state.name;
    const result = await runLong(`re-propagating from frame ${source}`,
      () => post(`${framePath(source)}/propagate`));
    suggestPropagate(false);
    await showFrame(source, true);
    say(`re-colorized ${result.frames.join(", ")} from frame ${source}`);
  });
}

function exportAll() {
  return run(async () => {
    const result = await runLong("exporting", () => post("/api/export"));
    say(`exported ${Object.keys(result.frames).length} frames to ${result.folder}`);
  });
}

function recolor(color, value) {
  const to = [1, 3, 5].map((i) => parseInt(value.slice(i, i + 2), 16));
  const label = colorLabel(color);
  return run(async () => {
    try {
      const result = await runLong(`recoloring ${label}`,
        () => post("/api/palette/recolor", { color, to }));
      state.clip.palette = result.palette;
      await showFrame(state.name, true);
      say(`recolored ${label} to ${hexColor([...to, 255])} in ${result.frames.length} frames (undo: u)`);
    } finally {
      renderPaletteEditor();
    }
  });
}

function renameColor(color, name) {
  return run(async () => {
    const result = await post("/api/palette/name", { color, name });
    state.clip.palette = result.palette;
    renderPaletteEditor();
    renderSegmentPanel();
    say(name.trim() ? `named ${hexColor(color)} "${name.trim()}"` : `removed the name of ${hexColor(color)}`);
  });
}

async function nextUncertain(wrap = true) {
  if (!state.queue.length) {
    say("no uncertain segments left");
    return;
  }
  const here = state.queue.findIndex((q) => q.frame === state.name && q.segment === state.selected);
  let item = state.queue[here + 1];
  if (!item && wrap) item = state.queue[0];
  if (item) await select(item.frame, item.segment, true);
}

function suggestPropagate(on) {
  $("btn-propagate").classList.toggle("suggest", on);
}

// Whether a key goes to a field being typed in (a checkbox or button is no such field).
function typing(target) {
  const tag = target.tagName;
  return tag === "SELECT" || tag === "TEXTAREA"
    || (tag === "INPUT" && !["checkbox", "radio", "button"].includes(target.type));
}

function onKey(event) {
  if (typing(event.target)) return;
  const key = event.key.toLowerCase();
  if (key === " ") {
    event.preventDefault();  // no page scroll: space+drag pans
    state.space = true;
    $("views").classList.add("grab");
    return;
  }
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    if (!state.working) undo();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  // View keys work during a long operation; edits do not.
  if (key === "+" || key === "=") zoomStep(1);
  else if (key === "-") zoomStep(-1);
  else if (key === "f") fit();
  else if (key === "0") oneToOne();
  else if (key === "z") zoomToSegment();
  else if (state.working) return;
  else if (key === "escape") deselect();
  else if (key === "n") run(() => nextUncertain());
  else if (key === "a") accept();
  else if (key === "u") undo();
  else if (key === "p") propagate();
  else if (["1", "2", "3"].includes(key) && state.segment) {
    const cand = state.segment.candidates[Number(key) - 1];
    if (cand) paint(cand.color);
  }
}

function onKeyUp(event) {
  if (event.key === " " && !typing(event.target)) {
    event.preventDefault();  // no click of the focused button
    state.space = false;
    $("views").classList.remove("grab");
  }
}

async function init() {
  for (const id of ["line-canvas", "result-canvas"]) {
    const canvas = $(id);
    canvas.addEventListener("pointerdown", onPointerDown);
    canvas.addEventListener("pointermove", onPointerMove);
    canvas.addEventListener("pointerup", onPointerUp);
    canvas.addEventListener("pointercancel", () => { state.drag = null; });
    canvas.addEventListener("wheel", onWheel, { passive: false });
  }
  $("btn-zoom-in").addEventListener("click", () => zoomStep(1));
  $("btn-zoom-out").addEventListener("click", () => zoomStep(-1));
  $("btn-fit").addEventListener("click", fit);
  $("btn-one").addEventListener("click", oneToOne);
  $("btn-zoom-segment").addEventListener("click", zoomToSegment);
  $("btn-next").addEventListener("click", () => run(() => nextUncertain()));
  $("btn-accept").addEventListener("click", accept);
  $("btn-undo").addEventListener("click", undo);
  $("btn-propagate").addEventListener("click", propagate);
  $("btn-export").addEventListener("click", exportAll);
  for (const id of ["threshold", "min-area", "hide-specks", "queue-sort"]) {
    $(id).addEventListener("change", () => run(async () => {
      drawOverlay();
      await refreshLists();
    }));
  }
  $("show-overlay").addEventListener("change", scheduleRender);
  $("show-joins").addEventListener("change", scheduleRender);
  document.addEventListener("keydown", onKey);
  document.addEventListener("keyup", onKeyUp);
  new ResizeObserver(() => (state.view.fit ? fit() : scheduleRender())).observe($("line-view"));

  await waitUntilReady();
  state.clip = await api("/api/clip");
  $("joins-toggle").hidden = state.clip.seg_method !== "closegaps";
  $("clip-name").textContent = state.clip.clip;
  $("engine-name").textContent = `${state.clip.engine} engine`;
  $("threshold").value = state.clip.threshold;
  $("min-area").value = state.clip.min_area;
  renderPaletteEditor();
  const first = (await api(`/api/queue?limit=1&threshold=${threshold()}&min_area=${minArea()}`))[0];
  await showFrame(first ? first.frame : state.clip.names[0]);
  if (first) await select(first.frame, first.segment, true);
}

run(init);
