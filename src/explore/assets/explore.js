// varstyle explore: the page's logic. The page holds the view (z or a style mix, alpha, size);
// every change asks the server for new images, coalesced so that at most one request is in
// flight and only the latest view is sent when it returns (no queue of stale views).
'use strict';

const page = { state: null, code: [], mix: null, alpha: 1, size: 256, activeStyle: -1 };
// For tests and curious users: the view whose images are shown, and how many renders finished.
window.varstyleExplorer = { page, shownView: null, renders: 0, errors: 0, settled: () => !inFlight && !pending };

const $ = (id) => document.getElementById(id);

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').classList.toggle('error', !!isError);
}

async function api(path, options) {
  const response = await fetch(path, options);
  const text = await response.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = null; }
  if (!response.ok) throw new Error((body && body.error) || `HTTP ${response.status}`);
  return body;
}

function currentView() {
  const view = { alpha: page.alpha, size: page.size };
  if (page.mix) view.styles = page.mix; else view.code = page.code.slice();
  return view;
}

// --- Rendering, coalesced --------------------------------------------------------------------
let inFlight = false;
let pending = false;

function requestRender() {
  pending = true;
  if (!inFlight) pump();
}

async function pump() {
  inFlight = true;
  while (pending) {
    pending = false;
    const view = currentView();
    const started = performance.now();
    try {
      const answer = await api('/api/render', { method: 'POST', body: JSON.stringify(view) });
      answer.images.forEach((src, i) => { const img = $(`output-${i}`); if (img) img.src = src; });
      window.varstyleExplorer.shownView = view;
      window.varstyleExplorer.renders += 1;
      setStatus(`${answer.images.length} image(s) at ${view.size}px: server ${answer.milliseconds.toFixed(0)} ms, ` +
                `shown after ${(performance.now() - started).toFixed(0)} ms`);
    } catch (error) {
      window.varstyleExplorer.errors += 1;
      setStatus(error.message, true);
    }
  }
  inFlight = false;
}

// --- Sliders ---------------------------------------------------------------------------------
function syncSliders() {
  for (const input of document.querySelectorAll('#sliders input')) {
    const d = Number(input.dataset.dim);
    input.value = page.code[d];
    input.parentElement.querySelector('output').textContent = page.code[d].toFixed(2);
  }
}

function setCode(code) {
  page.code = code.slice();
  page.mix = null;
  syncSliders();
  requestRender();
}

function buildSliders(state) {
  const box = $('sliders');
  const range = state.slider_range;
  for (const dim of state.dims) {
    const row = document.createElement('label');
    row.className = 'slider';
    row.innerHTML = `<span>z${dim.index} <small>var ${dim.variance.toFixed(3)}</small></span>` +
      `<input type="range" min="${-range}" max="${range}" step="0.01" value="0" data-dim="${dim.index}">` +
      '<output>0.00</output>';
    const input = row.querySelector('input');
    input.addEventListener('input', () => {
      // A mix of presets becomes its code the moment a slider moves.
      page.mix = null;
      page.code[dim.index] = Number(input.value);
      row.querySelector('output').textContent = Number(input.value).toFixed(2);
      requestRender();
    });
    box.appendChild(row);
  }
}

function gaussian() {
  const u = 1 - Math.random(), v = Math.random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

// --- Styles, interpolation, labels ------------------------------------------------------------
function chooseStyle(index) {
  page.activeStyle = index;
  document.querySelectorAll('#styles button').forEach((b) => b.classList.toggle('active', Number(b.dataset.style) === index));
  const style = page.state.styles[index];
  if (page.state.has_code) setCode(style.code);
  else { page.mix = [{ style: index, weight: 1 }]; requestRender(); }
}

function addStyleButton(style) {
  const button = document.createElement('button');
  button.dataset.style = style.id;
  button.title = style.label ? `${style.name} (${style.label})` : style.name;
  const img = document.createElement('img');
  img.alt = style.name;
  img.src = `/api/thumbnail/style/${style.id}`;
  button.appendChild(img);
  button.addEventListener('click', () => chooseStyle(style.id));
  $('styles').appendChild(button);
  for (const select of [$('interp-a'), $('interp-b')]) {
    const option = document.createElement('option');
    option.value = style.id;
    option.textContent = `${style.id}: ${style.name}`;
    select.appendChild(option);
  }
}

function interpolate() {
  const a = Number($('interp-a').value), b = Number($('interp-b').value), t = Number($('interp').value);
  $('interp-value').textContent = t.toFixed(2);
  if (Number.isNaN(a) || Number.isNaN(b)) return;
  if (page.state.has_code) {
    const za = page.state.styles[a].code, zb = page.state.styles[b].code;
    setCode(za.map((value, i) => (1 - t) * value + t * zb[i]));
  } else {
    page.mix = [{ style: a, weight: 1 - t }, { style: b, weight: t }];
    requestRender();
  }
}

function buildLabels(state) {
  if (!state.has_code || state.labels.length === 0) { $('no-labels').hidden = false; return; }
  for (const label of state.labels) {
    const button = document.createElement('button');
    button.textContent = `${label.name} (${label.count})`;
    button.addEventListener('click', () => setCode(label.code));
    $('labels').appendChild(button);
  }
}

// --- Contents and uploads -------------------------------------------------------------------
function addContent(content) {
  const figure = document.createElement('figure');
  figure.innerHTML = `<img id="output-${content.id}" alt="output ${content.id}"><figcaption></figcaption>`;
  figure.querySelector('figcaption').textContent = content.name;
  $('row').appendChild(figure);
}

async function upload(role, file) {
  if (!file) return;
  setStatus(`uploading ${file.name}…`);
  try {
    const entry = await api(`/api/upload/${role}?name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file });
    if (role === 'content') { page.state.contents.push(entry); addContent(entry); requestRender(); }
    else { page.state.styles.push(entry); addStyleButton(entry); chooseStyle(entry.id); }
  } catch (error) {
    setStatus(error.message, true);
  }
}

function wireDrop(zone, input, role) {
  input.addEventListener('change', () => { upload(role, input.files[0]); input.value = ''; });
  zone.addEventListener('dragover', (event) => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    upload(role, event.dataTransfer.files[0]);
  });
}

// --- Export ----------------------------------------------------------------------------------
function download(name, href) {
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
}

async function exportCode() {
  try {
    const file = await api('/api/export', { method: 'POST', body: JSON.stringify(currentView()) });
    download('varstyle-code.json', URL.createObjectURL(new Blob([JSON.stringify(file, null, 2)], { type: 'application/json' })));
  } catch (error) {
    setStatus(error.message, true);
  }
}

function exportImages() {
  page.state.contents.forEach((content, i) => {
    const img = $(`output-${i}`);
    if (img && img.src) download(`varstyle-${i}-${content.name.replace(/[^A-Za-z0-9._-]/g, '_')}.png`, img.src);
  });
}

// --- Start -----------------------------------------------------------------------------------
async function start() {
  const state = await api('/api/state');
  page.state = state;
  $('model').textContent = `${state.kind} model · ${state.model_file}`;
  if (state.exposed) {
    $('exposed').hidden = false;
    $('exposed').textContent = `This page is served on ${state.host}, not only to this machine: anyone who can reach ` +
      'it can use the model and upload images. Restart with --host 127.0.0.1 to keep it local.';
  }
  state.contents.forEach(addContent);
  state.styles.forEach(addStyleButton);
  if (state.styles.length > 1) $('interp-b').value = 1;
  if (state.has_code) {
    page.code = new Array(state.dims.length).fill(0);
    $('slider-help').hidden = false;
    buildSliders(state);
  } else {
    $('no-code').hidden = false;
    $('no-code').textContent = `This ${state.kind} model has no latent style code, so there are no sliders: ` +
      'pick a style, interpolate between two, and set alpha.';
    $('code-buttons').hidden = true;
    $('export-code').disabled = true;
    $('export-code').title = 'only a model with a style code exports z';
  }
  buildLabels(state);
  for (const size of state.sizes) {
    const button = document.createElement('button');
    button.textContent = size;
    button.dataset.size = size;
    button.classList.toggle('active', size === page.size);
    button.addEventListener('click', () => {
      page.size = size;
      document.querySelectorAll('#sizes button').forEach((b) => b.classList.toggle('active', Number(b.dataset.size) === size));
      requestRender();
    });
    $('sizes').appendChild(button);
  }
  $('sizes').className = 'sizes';
  $('alpha').addEventListener('input', () => {
    page.alpha = Number($('alpha').value);
    $('alpha-value').textContent = page.alpha.toFixed(2);
    requestRender();
  });
  $('interp').addEventListener('input', interpolate);
  $('interp-a').addEventListener('change', interpolate);
  $('interp-b').addEventListener('change', interpolate);
  $('sample').addEventListener('click', () => setCode(page.code.map(() => gaussian())));
  $('reset').addEventListener('click', () => setCode(page.code.map(() => 0)));
  $('export-code').addEventListener('click', exportCode);
  $('export-png').addEventListener('click', exportImages);
  wireDrop($('content-drop'), $('content-file'), 'content');
  wireDrop($('style-drop'), $('style-file'), 'style');
  // Models without a code start from the first style; models with one from z = 0.
  if (!state.has_code && state.styles.length > 0) chooseStyle(0); else requestRender();
}

start().catch((error) => setStatus(`cannot start: ${error.message}`, true));
