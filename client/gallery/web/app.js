// The gallery's page: the grid of images the user may read, and the viewer with its
// verification panel. Everything comes from this page's own origin (the CSP allows nothing
// else); text from the network is set with textContent, never as HTML.
'use strict';

const grid = document.getElementById('grid');
const statusLine = document.getElementById('status');
const viewer = document.getElementById('viewer');
const shown = new Map();  // name -> the card's <li>

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function imageUrl(name) {
  return '/api/images/' + encodeURIComponent(name);
}

function readableSize(bytes) {
  if (bytes >= 1048576) return (bytes / 1048576).toFixed(1) + ' MiB';
  if (bytes >= 1024) return (bytes / 1024).toFixed(0) + ' KiB';
  return bytes + ' B';
}

function refusalText(refusal) {
  return 'Refused: ' + refusal.code + ' — ' + refusal.message;
}

// An image as the page shows it: fetched, and shown only when the server answered with
// image bytes; a refusal is shown as text with its code. `url`: the image's, or its
// thumbnail's (the grid's: the full image is fetched only when it is opened). Nothing is
// shown once `wanted()` is false (the viewer moved on, or the image was deleted meanwhile).
async function loadImage(url, container, alt, wanted = () => true) {
  const response = await fetch(url);
  if (!wanted()) return null;
  container.replaceChildren();
  if (!response.ok) {
    let refusal = { code: 'HTTP_' + response.status, message: response.statusText };
    try { refusal = await response.json(); } catch (_) { /* keep the status */ }
    const text = element('p', 'refusal', refusalText(refusal));
    text.dataset.code = refusal.code;
    container.append(text);
    return null;
  }
  const blob = await response.blob();
  if (!wanted()) return null;
  const img = element('img');
  img.alt = alt;
  img.src = URL.createObjectURL(blob);
  container.append(img);
  return img;
}

function card(image) {
  const item = element('li', 'card');
  item.dataset.name = image.name;
  const button = element('button');
  button.type = 'button';
  button.setAttribute('aria-label', image.name + ' by ' + image.owner);
  const thumb = element('div', 'thumb');
  const meta = element('div', 'meta');
  meta.append(element('div', 'name', image.name));
  meta.append(element('div', 'owner', 'by ' + image.owner));
  meta.append(element('div', 'date', new Date(image.created_at).toLocaleString()));
  const line = element('div');
  line.append(element('span', 'size', readableSize(image.size) + ' '));
  const badge = element('span', 'badge' + (image.mode === 'e2e' ? ' e2e' : ''),
                        image.mode === 'e2e' ? 'end-to-end' : 'escrow');
  line.append(badge);
  meta.append(line);
  if (image.recipients) meta.append(element('div', 'readers', 'readers: ' + image.recipients.join(', ')));
  button.append(thumb, meta);
  button.addEventListener('click', () => openViewer(image));
  item.append(button);
  // Images load when they come near the screen, not all at once.
  const observer = new IntersectionObserver((entries) => {
    if (entries.some((entry) => entry.isIntersecting)) {
      observer.disconnect();
      loadImage(imageUrl(image.name) + '/thumbnail', thumb, image.name + ' by ' + image.owner);
    }
  }, { rootMargin: '200px' });
  observer.observe(thumb);
  return item;
}

// A name already shown is replaced: an end-to-end image shared again moves to its new
// position, and a name deleted and posted again (its removal missed) shows the new image.
function addImage(image, atTop) {
  const earlier = shown.get(image.name);
  if (earlier && !atTop) return;
  if (earlier) earlier.remove();
  const item = card(image);
  shown.set(image.name, item);
  if (atTop) grid.prepend(item); else grid.append(item);
}

let viewed = null;  // the image the viewer shows

// Image `name` is gone: its owner deleted it, or revoked this user's access. Its card goes;
// an open viewer of it drops the image and its verification and says why.
function removeImage(name) {
  const item = shown.get(name);
  if (!item) return;  // never shown here (deleted before this page saw it)
  item.remove();
  shown.delete(name);
  if (!viewed || viewed.name !== name) return;
  viewed = null;
  document.getElementById('viewer-image').replaceChildren();
  document.getElementById('verification').replaceChildren();
  document.getElementById('share').hidden = true;
  const verdict = document.getElementById('verdict');
  verdict.hidden = false;
  verdict.className = 'removed';
  verdict.textContent = name + ' was deleted: its owner deleted it, or your access to it ' +
    'was revoked. Close this view.';
}

async function openViewer(image) {
  viewed = image;
  document.getElementById('viewer-title').textContent = image.name;
  // Only an end-to-end image can be shared with more users (only by its owner: the
  // refusal says so otherwise).
  document.getElementById('share').hidden = image.mode !== 'e2e';
  document.getElementById('share-status').textContent = '';
  const panel = document.getElementById('verification');
  panel.replaceChildren();
  const verdict = document.getElementById('verdict');
  verdict.hidden = true;
  viewer.showModal();
  const wanted = () => viewed === image;
  const img = await loadImage(imageUrl(image.name), document.getElementById('viewer-image'),
                              image.name + ' by ' + image.owner, wanted);
  if (!wanted()) return;
  if (!img) {
    verdict.hidden = false;
    verdict.className = 'refused';
    verdict.textContent = 'Not shown: the image failed a check of imgshare download.';
    return;
  }
  const response = await fetch(imageUrl(image.name) + '/verification');
  if (!response.ok) return;
  const facts = await response.json();
  if (!wanted()) return;
  verdict.hidden = false;
  verdict.className = 'verified';
  verdict.textContent = '✓ Verified: every check of imgshare download passed';
  // Saving writes the verified bytes the page already holds; nothing else touches the disk.
  const save = element('a', 'save', 'Save to disk');
  save.href = img.src;
  save.download = image.name + ({ 'image/png': '.png', 'image/jpeg': '.jpg', 'image/gif': '.gif',
                                  'image/webp': '.webp' }[facts.content_type] || '');
  panel.append(element('dt', '', 'Save'), Object.assign(element('dd'), { id: 'save-line' }));
  panel.lastChild.append(save);
  for (const [label, key] of [['Owner', 'owner'], ['Certificate serial', 'serial'],
    ['Valid from', 'valid_from'], ['Valid until', 'valid_until'], ['Certified by', 'issuer'],
    ['CA key', 'ca_key'], ['Mode', 'mode'], ['Readers', 'readers'],
    ['Image SHA-256', 'sha256'], ['Size', 'size'], ['Type', 'content_type']]) {
    if (facts[key] === undefined) continue;
    panel.append(element('dt', '', label));
    const value = Array.isArray(facts[key]) ? facts[key].join(', ') : String(facts[key]);
    const dd = element('dd', '', value);
    dd.dataset.key = key;
    panel.append(dd);
  }
}

document.getElementById('close').addEventListener('click', () => viewer.close());

function countLine() {
  statusLine.textContent = shown.size === 1 ? '1 image' : shown.size + ' images';
}

// New images as they are posted, and images deleted (or revoked): the server's feed as
// Server-Sent Events, from the newest image the grid has. EventSource reconnects by itself
// and sends the last event id it saw, from which the server resumes, so nothing posted or
// deleted meanwhile is missed, and a removal already seen is not undone.
function followFeed(afterSeq) {
  const events = new EventSource('/api/events?after=' + afterSeq);
  events.addEventListener('image', (event) => {
    addImage(JSON.parse(event.data), true);
    countLine();
  });
  events.addEventListener('removed', (event) => {
    removeImage(JSON.parse(event.data).name);
    countLine();
  });
  events.addEventListener('error', () => {
    statusLine.textContent = 'Reconnecting…';
  });
  events.addEventListener('open', countLine);
}

// Arrow keys move between cards; Enter or Space opens one (they are buttons).
grid.addEventListener('keydown', (event) => {
  const buttons = [...grid.querySelectorAll('.card button')];
  const at = buttons.indexOf(document.activeElement);
  if (at < 0) return;
  const columns = Math.max(1, Math.round(grid.clientWidth / buttons[0].offsetWidth));
  const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns,
                  Home: -at, End: buttons.length - 1 - at };
  if (!(event.key in moves)) return;
  const next = buttons[Math.min(buttons.length - 1, Math.max(0, at + moves[event.key]))];
  next.focus();
  event.preventDefault();
});

async function loadGrid() {
  const response = await fetch('/api/images');
  if (!response.ok) {
    statusLine.textContent = 'Could not list the images (' + response.status + ')';
    return;
  }
  const images = await response.json();
  for (const image of images) addImage(image, false);
  countLine();
  document.body.dataset.ready = 'true';
  followFeed(images.reduce((newest, image) => Math.max(newest, image.seq), 0));
}

// Posting and sharing. Recipients are checked with the CA (through the gallery, which
// verifies each certificate as `imgshare post --to` does) before anything is sent; the image
// goes to the gallery, which posts it with the client's own code and reports its progress.

function parseNames(text) {
  return text.split(/[\s,]+/).filter((name) => name.length > 0);
}

async function refusalOf(response) {
  try { return await response.json(); } catch (_) {
    return { code: 'HTTP_' + response.status, message: response.statusText };
  }
}

// The first name whose certificate does not check, as {name, code, message}; null if all do.
async function firstBadReader(names) {
  for (const name of names) {
    const response = await fetch('/api/users/' + encodeURIComponent(name));
    if (!response.ok) return { name, ...(await refusalOf(response)) };
  }
  return null;
}

function showInlineError(node, bad) {
  node.hidden = bad === null;
  if (bad === null) return;
  node.textContent = bad.name + ': ' + bad.code + ' — ' + bad.message;
  node.dataset.code = bad.code;
}

// The name `imgshare post` would give the file (common/image_name.cpp).
function nameFromFile(fileName) {
  const dot = fileName.lastIndexOf('.');
  const stem = dot > 0 ? fileName.slice(0, dot) : fileName;
  const name = stem.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '')
    .replace(/_+$/, '').slice(0, 128);
  return name || 'image';
}

const postButton = document.getElementById('post-button');
const postStatus = document.getElementById('post-status');
const postProgress = document.getElementById('post-progress');
const recipientsError = document.getElementById('recipients-error');
let chosenFile = null;

function choose(file) {
  chosenFile = file;
  document.getElementById('post-name').value = nameFromFile(file.name);
  postButton.disabled = false;
  postStatus.textContent = 'Ready to post ' + file.name + ' (' + readableSize(file.size) + ')';
}

document.getElementById('file').addEventListener('change', (event) => {
  if (event.target.files.length > 0) choose(event.target.files[0]);
});
const drop = document.getElementById('drop');
for (const type of ['dragenter', 'dragover']) {
  drop.addEventListener(type, (event) => {
    event.preventDefault();
    drop.classList.add('dragging');
  });
}
drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
drop.addEventListener('drop', (event) => {
  event.preventDefault();
  drop.classList.remove('dragging');
  if (event.dataTransfer.files.length > 0) choose(event.dataTransfer.files[0]);
});

function endToEnd() {
  return document.querySelector('input[name="mode"]:checked').value === 'e2e';
}

document.getElementById('recipients').addEventListener('change', async (event) => {
  const names = parseNames(event.target.value);
  if (names.length > 0) showInlineError(recipientsError, await firstBadReader(names));
});

// The progress bar: the bytes as they reach the gallery, then the chunks as they reach the
// storage node (polled from the gallery while the post runs).
function showProgress(phase, done, total) {
  postProgress.hidden = false;
  postProgress.max = Math.max(1, total);
  postProgress.value = done;
  postProgress.dataset.phase = phase;
  const unit = phase === 'sending' ? ' chunks' : '';
  postStatus.textContent = phase[0].toUpperCase() + phase.slice(1) + '… ' +
    (phase === 'receiving' ? readableSize(done) + ' of ' + readableSize(total)
                           : done + ' of ' + total + unit);
}

function send(url, file, progressId) {
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader('Content-Type', 'application/octet-stream');
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) showProgress('receiving', event.loaded, event.total);
    });
    let polling = true;
    const poll = async () => {
      while (polling) {
        await new Promise((wake) => setTimeout(wake, 250));
        const response = await fetch('/api/posts/' + progressId);
        if (polling && response.ok) {
          const state = await response.json();
          if (state.phase !== 'receiving') showProgress(state.phase, state.done, state.total);
        }
      }
    };
    poll();
    request.addEventListener('loadend', () => {
      polling = false;
      let body = null;
      try { body = JSON.parse(request.responseText); } catch (_) { /* below */ }
      if (request.status === 200 && body) resolve({ ok: true, body });
      else resolve({ ok: false, body: body || { code: 'HTTP_' + request.status,
                                                message: 'the post did not complete' } });
    });
    request.send(file);
  });
}

postButton.addEventListener('click', async () => {
  if (!chosenFile) return;
  const name = document.getElementById('post-name').value;
  let url = '/api/posts?name=' + encodeURIComponent(name);
  showInlineError(recipientsError, null);
  delete postStatus.dataset.result;
  if (endToEnd()) {
    const names = parseNames(document.getElementById('recipients').value);
    if (names.length === 0) {
      showInlineError(recipientsError, { name: 'recipients', code: 'BAD_REQUEST',
                                         message: 'name at least one reader' });
      return;
    }
    const bad = await firstBadReader(names);
    showInlineError(recipientsError, bad);
    if (bad) return;  // nothing is sent
    url += '&to=' + encodeURIComponent(names.join(','));
  }
  const progressId = Array.from(crypto.getRandomValues(new Uint8Array(12)),
                                (b) => b.toString(16).padStart(2, '0')).join('');
  url += '&progress=' + progressId;
  postButton.disabled = true;
  document.body.dataset.posting = 'true';
  const result = await send(url, chosenFile, progressId);
  postButton.disabled = false;
  delete document.body.dataset.posting;
  postProgress.hidden = true;
  postStatus.dataset.result = result.ok ? 'posted' : result.body.code;
  postStatus.textContent = result.ok
    ? 'Posted ' + result.body.name + ' (seq ' + result.body.seq + ')' +
      (result.body.recipients ? ' end-to-end for ' + result.body.recipients.join(', ') : '')
    : refusalText(result.body);
});

document.getElementById('share-button').addEventListener('click', async () => {
  const shareStatus = document.getElementById('share-status');
  const names = parseNames(document.getElementById('share-with').value);
  if (!viewed || names.length === 0) return;
  delete shareStatus.dataset.result;
  const bad = await firstBadReader(names);
  if (bad) {
    showInlineError(shareStatus, bad);
    shareStatus.hidden = false;
    return;
  }
  const response = await fetch(imageUrl(viewed.name) + '/share', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ with: names }),
  });
  const body = response.ok ? await response.json() : await refusalOf(response);
  shareStatus.dataset.result = response.ok ? 'shared' : body.code;
  shareStatus.textContent = response.ok
    ? 'Readers now: ' + body.recipients.join(', ')
    : refusalText(body);
});

// The gallery checks the certificate log for certificates in the user's name with keys that
// are not theirs (docs/TRANSPARENCY.md); what it found is shown above everything, in red.
const logAlert = document.getElementById('log-alert');
const logFindings = document.getElementById('log-findings');

async function checkLog() {
  let findings = [];
  try {
    const response = await fetch('/api/log');
    if (!response.ok) return;
    findings = (await response.json()).findings;
  } catch (_) {
    return;
  }
  logFindings.replaceChildren(...findings.map((finding) => {
    const item = document.createElement('li');
    item.dataset.code = finding.code;
    item.textContent = finding.code + ': ' + finding.message;
    return item;
  }));
  logAlert.hidden = findings.length === 0;
}

loadGrid();
checkLog();
setInterval(checkLog, 15000);
