// Shared helpers of the dashboard: the API client, a tiny DOM builder, formatting and polling.

/** An API call that failed: the problem document's detail (or the status line) and the HTTP status. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** Fetches JSON from the server's API; throws an ApiError carrying the problem document's one-sentence detail. */
export async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { Accept: 'application/json', ...options.headers }, cache: 'no-store' });
  const text = await response.text();
  const body = text ? JSON.parse(text) : null;
  if (!response.ok) {
    throw new ApiError(response.status, body?.detail ?? body?.title ?? `${response.status} ${response.statusText}`);
  }
  return body;
}

const tokenKey = 'sluice.token';

/**
 * A call that changes something (POST): sent with the API token kept for this tab. Resolves to the answer's body, or
 * to null when there is no token yet (the form asks for it, then calls retry). A refused token is forgotten and asked
 * for again; the ApiError is rethrown so the caller can say nothing was done.
 */
export async function mutate(path, form, retry, options = {}) {
  const token = sessionStorage.getItem(tokenKey);
  if (!token) {
    form.ask('This needs the server\'s API token (the file server.token in its data directory). It is kept for this tab only.', retry);
    return null;
  }
  try {
    return await api(path, { method: 'POST', ...options, headers: { Authorization: `Bearer ${token}`, ...options.headers } });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      sessionStorage.removeItem(tokenKey);
      form.ask('The server refused the API token: enter the token from server.token in its data directory.', retry);
    }
    throw error;
  }
}

/** The form that asks for the API token: hidden until ask(prompt, then) shows it; then runs once a token is given. */
export function tokenForm() {
  let then = null;
  const input = h('input', { name: 'token', type: 'password', placeholder: 'API token', autocomplete: 'off', 'aria-label': 'API token' });
  const prompt = h('p', { class: 'token-prompt' });
  const element = h('form', { class: 'token', hidden: true, onsubmit: event => {
    event.preventDefault();
    if (!input.value.trim()) return;
    sessionStorage.setItem(tokenKey, input.value.trim());
    input.value = '';
    element.hidden = true;
    then?.();
  } }, prompt, input, h('button', { type: 'submit' }, 'Use token'));
  return {
    element,
    ask(text, next) {
      prompt.textContent = text;
      then = next;
      element.hidden = false;
      input.focus();
    },
  };
}

/** A message line (role=status): say(text, 'success' | 'error' | 'info'). */
export function messageLine() {
  const element = h('p', { class: 'message', role: 'status', hidden: true });
  return {
    element,
    say(text, kind = 'info') {
      element.hidden = false;
      element.className = `message ${kind}`;
      element.textContent = text;
    },
  };
}

/** Creates an element: h('td', {class: 'num'}, 'text', childNode). Attributes starting with "on" become listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  element.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
  return element;
}

/** Creates an SVG element the same way. */
export function s(tag, attributes = {}, ...children) {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttributes(element, attributes);
  element.append(...children.flat().filter(c => c !== null && c !== undefined && c !== false).map(c => (c instanceof Node ? c : String(c))));
  return element;
}

function setAttributes(element, attributes) {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on')) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? '' : value);
  }
}

/** The poll interval in milliseconds: ?interval=MS on the page's URL (at least 100), else 1000. */
export function pollInterval() {
  const asked = Number(new URLSearchParams(location.search).get('interval'));
  return Number.isFinite(asked) && asked >= 100 ? asked : 1000;
}

/**
 * Calls tick() now and then every pollInterval() ms until signal aborts (the user left the page). A failed tick shows
 * its message in the header and is retried at the next interval.
 */
export async function poll(signal, tick) {
  const interval = pollInterval();
  while (!signal.aborted) {
    try {
      await tick();
      showConnection('');
    } catch (error) {
      if (signal.aborted) return;
      showConnection(error instanceof ApiError ? error.message : `The server does not answer (${error.message}).`);
    }
    await new Promise(resolve => {
      const timer = setTimeout(resolve, interval);
      signal.addEventListener('abort', () => { clearTimeout(timer); resolve(); }, { once: true });
    });
  }
}

/** Shows a connection problem in the header (empty text hides it). */
export function showConnection(text) {
  const element = document.getElementById('connection');
  element.textContent = text;
  element.classList.toggle('error', text !== '');
}

/** Per-second rate of a counter between two polls, remembered under key in memory. */
export class Rates {
  #last = new Map();

  /** The rate of `value` since the previous call with the same key (null on the first call or after a reset). */
  rate(key, value, now = performance.now()) {
    const previous = this.#last.get(key);
    this.#last.set(key, { value, now });
    if (!previous || value < previous.value || now <= previous.now) return null;
    return ((value - previous.value) * 1000) / (now - previous.now);
  }
}

const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

/** 1234567 → "1.2M"; null → "–". */
export const fmtCompact = n => (n === null || n === undefined || Number.isNaN(n) ? '–' : compact.format(n));

/** 1234567 → "1,234,567". */
export const fmtWhole = n => (n === null || n === undefined ? '–' : whole.format(n));

/** A rate in records per second: "1.2k/s". */
export const fmtRate = n => (n === null || n === undefined ? '–' : `${compact.format(n)}/s`);

/** Bytes: "12.3 MiB". */
export function fmtBytes(n) {
  if (n === null || n === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) { n /= 1024; unit++; }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
}

/** Milliseconds as "2h 3m", "4m 5s", "6.1s", "250 ms". */
export function fmtDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${Math.floor(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

/** A time (ISO text or Unix ms) as local "HH:MM:SS" (with the date when not today). */
export function fmtTime(value) {
  if (value === null || value === undefined) return '–';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '–';
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString('en-GB') : date.toLocaleString('en-GB');
}

/** A watermark (Unix ms, or the minimum long before the first) as "HH:MM:SS" (with "MM-DD" when not today), or "none". */
export function fmtWatermark(ms) {
  if (ms === null || ms === undefined || ms <= -8.64e15) return 'none';
  const date = new Date(ms);
  const time = date.toLocaleTimeString('en-GB');
  if (new Date().toDateString() === date.toDateString()) return time;
  const pad = n => String(n).padStart(2, '0');
  return `${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** A status badge. */
export const badge = status => h('span', { class: `badge ${String(status).toLowerCase()}` }, status);

/**
 * A table with a header row; rows are arrays of cells (nodes or text), or ready <tr> elements. A column whose first
 * cell is numeric (class "num") gets a right-aligned header too.
 */
export function table(headers, rows, attributes = {}) {
  const body = h('tbody', {}, rows.map(row => (row instanceof Node ? row : h('tr', {}, row.map(cell => (cell instanceof Node && cell.tagName === 'TD' ? cell : h('td', {}, cell)))))));
  const first = [...(body.rows[0]?.cells ?? [])];
  return h('table', attributes,
    h('thead', {}, h('tr', {}, headers.map((title, i) => h('th', { class: first[i]?.classList.contains('num') ? 'num' : null }, title)))),
    body);
}

/** A numeric table cell. */
export const num = (text, attributes = {}) => h('td', { class: 'num', ...attributes }, text);
