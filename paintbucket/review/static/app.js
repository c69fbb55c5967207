// pbc review: browser side. Plain JS, no build step; talks to the JSON API in app.py.
"use strict";

const state = {
  clip: null,        // /api/clip
  frames: [],        // /api/frames
  queue: [],         // /api/queue
  name: null,        // current frame
  info: null,        // current frame's result JSON
  ids: null,         // Int32Array segment id per pixel
  width: 0,
  height: 0,
  selected: 0,       // selected segment id (0 = none)
  segment: null,     // /api/frames/<name>/segments/<id>
  version: 0,        // cache buster for images
  suggestPropagate: false,
};

const $ = (id) => document.getElementById(id);
// Session token the server put into the page; every /api/ request must carry it.
const TOKEN = document.querySelector('meta[name="pbc-token"]').content;

function setBusy(busy) {
  document.body.dataset.state = busy ? "busy" : "ready";
}

function say(text, isError = false) {
  const el = $("message");
  el.textContent = text;
  el.className = isError ? "error" : "";
}

async function api(path, options = {}) {
  const response = await fetch(path, {
    headers: { "Content-Type": "application/json", "X-PBC-Token": TOKEN },
    ...options,
  });
  const body = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) {
    throw new Error(body.error || `HTTP ${response.status}`);
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

// ------------------------------------------------------------------ drawing

function drawImage(canvasId, image) {
  const canvas = $(canvasId);
  canvas.width = image.width;
  canvas.height = image.height;
  canvas.getContext("2d").drawImage(image, 0, 0);
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

function drawOverlay() {
  const { ids, info, width, height } = state;
  if (!ids || !info) return;
  const count = info.num_segments;
  const low = new Uint8Array(count + 1);
  if ($("show-overlay").checked) {
    const reviewed = new Set(info.reviewed || []);
    const t = threshold();
    for (const [key, value] of Object.entries(info.confidence)) {
      const sid = Number(key);
      if (value < t && !reviewed.has(sid)) low[sid] = 1;
    }
  }
  for (const canvasId of ["line-overlay", "result-overlay"]) {
    const canvas = $(canvasId);
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
        // Selected: a thick yellow outline and a light hatch, so its color stays visible.
        const edge = differs(i, -2, 0) || differs(i, 2, 0) || differs(i, 0, -2) || differs(i, 0, 2);
        if (edge) data.set([255, 200, 0, 255], 4 * i);
        else if (stripe < 2) data.set([255, 210, 0, 200], 4 * i);
      } else if (low[sid] && stripe < 3) {
        // Low confidence: red diagonal hatching.
        data.set([255, 0, 60, 190], 4 * i);
      }
    }
    ctx.putImageData(image, 0, 0);
  }
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
    row.appendChild(swatch(cand.color, "", sameColor(cand.color, seg.color)));
    const label = document.createElement("span");
    label.textContent = `${k + 1}. ${(cand.probability * 100).toFixed(0)}%  ${cand.name || cand.color.join(" ")}`;
    row.appendChild(label);
    row.addEventListener("click", () => paint(cand.color));
    candidates.appendChild(row);
  });
  for (const entry of state.clip.palette) {
    const title = `${entry.name ? entry.name + " — " : ""}rgba(${entry.color.join(", ")})`;
    const button = swatch(entry.color, title, sameColor(entry.color, seg.color));
    button.addEventListener("click", () => paint(entry.color));
    palette.appendChild(button);
  }
}

function renderFilmstrip() {
  const strip = $("filmstrip");
  strip.replaceChildren();
  for (const frame of state.frames) {
    const button = document.createElement("button");
    button.className = "thumb" + (frame.name === state.name ? " current" : "");
    button.dataset.frame = frame.name;
    button.title = `frame ${frame.name}, lowest confidence ${frame.min_confidence.toFixed(2)}`;
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
  $("queue-count").textContent = `(${state.queue.length})`;
  for (const item of state.queue.slice(0, 300)) {
    const li = document.createElement("li");
    li.textContent = `${item.frame} #${item.segment} — ${item.confidence.toFixed(2)}`;
    if (item.frame === state.name && item.segment === state.selected) li.className = "current";
    li.addEventListener("click", () => run(() => select(item.frame, item.segment)));
    list.appendChild(li);
  }
}

// ------------------------------------------------------------------ loading

async function refreshLists() {
  const t = threshold();
  [state.frames, state.queue] = await Promise.all([
    api(`/api/frames?threshold=${t}`),
    api(`/api/queue?threshold=${t}&limit=2000`),
  ]);
  renderFilmstrip();
  renderQueue();
}

async function showFrame(name, keepSelection = false) {
  const base = framePath(name);
  const v = ++state.version;
  const [info, line, result, segments] = await Promise.all([
    api(base),
    loadImage(imageUrl(name, "line", v)),
    loadImage(imageUrl(name, "result", v)),
    loadImage(imageUrl(name, "segments", v)),
  ]);
  state.name = name;
  state.info = info;
  state.width = result.width;
  state.height = result.height;
  state.ids = decodeSegments(segments);
  drawImage("line-canvas", line);
  drawImage("result-canvas", result);
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

async function select(name, segment) {
  if (name !== state.name) await showFrame(name);
  state.selected = segment;
  state.segment = await api(`${framePath(name)}/segments/${segment}`);
  drawOverlay();
  renderSegmentPanel();
  renderQueue();
}

// ------------------------------------------------------------------ actions

async function run(action) {
  setBusy(true);
  try {
    await action();
  } catch (error) {
    say(error.message, true);
  } finally {
    setBusy(false);
  }
}

function paint(color) {
  return run(async () => {
    if (!state.segment) throw new Error("select a segment first");
    const { frame, segment } = state.segment;
    await post(`${framePath(frame)}/segments/${segment}/paint`, { color });
    await showFrame(frame, true);
    suggestPropagate(true);
    say(`painted segment ${segment} of frame ${frame}; press p to re-propagate the following frames`);
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
    const frame = record.frames.includes(state.name) ? state.name : record.frames[0];
    await showFrame(frame, true);
    suggestPropagate(false);
    say(`undid ${record.action} (${record.frames.join(", ")})`);
  });
}

function propagate() {
  return run(async () => {
    if (!state.name) return;
    const result = await post(`${framePath(state.name)}/propagate`);
    suggestPropagate(false);
    await showFrame(state.name, true);
    say(`re-colorized ${result.frames.join(", ")} from frame ${state.name}`);
  });
}

function exportAll() {
  return run(async () => {
    say("exporting…");
    const result = await post("/api/export");
    say(`exported ${Object.keys(result.frames).length} frames to ${result.folder}`);
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
  if (item) await select(item.frame, item.segment);
}

function suggestPropagate(on) {
  state.suggestPropagate = on;
  $("btn-propagate").classList.toggle("suggest", on);
}

function onCanvasClick(event) {
  if (!state.ids) return;
  const rect = event.currentTarget.getBoundingClientRect();
  const x = Math.floor(((event.clientX - rect.left) / rect.width) * state.width);
  const y = Math.floor(((event.clientY - rect.top) / rect.height) * state.height);
  if (x < 0 || y < 0 || x >= state.width || y >= state.height) return;
  const sid = state.ids[y * state.width + x];
  if (sid === 0) {
    say("that is a line; click inside a segment");
    return;
  }
  run(() => select(state.name, sid));
}

function onKey(event) {
  if (event.target.tagName === "INPUT") return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") {
    event.preventDefault();
    undo();
  } else if (event.ctrlKey || event.metaKey || event.altKey) {
    return;
  } else if (key === "n") {
    run(() => nextUncertain());
  } else if (key === "a") {
    accept();
  } else if (key === "u") {
    undo();
  } else if (key === "p") {
    propagate();
  } else if (["1", "2", "3"].includes(key) && state.segment) {
    const cand = state.segment.candidates[Number(key) - 1];
    if (cand) paint(cand.color);
  }
}

async function init() {
  state.clip = await api("/api/clip");
  $("clip-name").textContent = state.clip.clip;
  $("threshold").value = state.clip.threshold;
  for (const id of ["line-overlay", "result-overlay"]) {
    $(id).addEventListener("click", onCanvasClick);
  }
  $("btn-next").addEventListener("click", () => run(() => nextUncertain()));
  $("btn-accept").addEventListener("click", accept);
  $("btn-undo").addEventListener("click", undo);
  $("btn-propagate").addEventListener("click", propagate);
  $("btn-export").addEventListener("click", exportAll);
  $("threshold").addEventListener("change", () => run(async () => {
    drawOverlay();
    await refreshLists();
  }));
  $("show-overlay").addEventListener("change", drawOverlay);
  document.addEventListener("keydown", onKey);
  const first = (await api(`/api/queue?limit=1`))[0];
  await showFrame(first ? first.frame : state.clip.names[0]);
  if (first) await select(first.frame, first.segment);
}

run(init);
