// Terminal tabs on xterm.js. Session ids are kept in sessionStorage and re-attached on every
// (re)connect, so a network drop or a page reload keeps the shell; the size is sent each time.
import { Terminal } from "@xterm/xterm";
import { FitAddon } from "@xterm/addon-fit";
import { get } from "./api.js";
import * as socket from "./socket.js";
import { $, debounce, el, showError } from "./ui.js";

const STORAGE_KEY = "kulvex.terminals";
const RESIZE_DEBOUNCE_MS = 80;
const tabs = new Map(); // session id → tab
const early = new Map(); // output that arrived before its create ack
let active = null;
let counter = 0;
const nodes = {};

function saved() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || [];
  } catch {
    return [];
  }
}

function persist() {
  const live = [...tabs.values()].filter((tab) => tab.id && tab.live);
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify(live.map(({ id, mode, title }) => ({ id, mode, title }))));
}

function makeTab(mode, title) {
  counter += 1;
  const tab = { id: null, mode, title: title || `${mode === "kcode" ? "kcode" : "Shell"} ${counter}`, live: true, sent: null };
  const paneId = `terminal-pane-${counter}`;
  tab.pane = el("div", { class: "pane", id: paneId, role: "tabpanel", "aria-label": tab.title, hidden: true });
  tab.button = el("button", { type: "button", role: "tab", class: "tab", "aria-controls": paneId, "aria-selected": "false", onclick: () => activate(tab) }, tab.title);
  tab.close = el("button", { type: "button", class: "icon", "aria-label": `Close ${tab.title}`, onclick: () => close(tab) }, "×");
  tab.header = el("div", { class: "tab-item" }, tab.button, tab.close);
  nodes.tabs.append(tab.header);
  nodes.panes.append(tab.pane);
  tab.term = new Terminal({ cursorBlink: true, convertEol: false, fontSize: 14, scrollback: 5000, fontFamily: "ui-monospace, Menlo, Consolas, monospace" });
  tab.fit = new FitAddon();
  tab.term.loadAddon(tab.fit);
  tab.term.open(tab.pane);
  tab.term.onData((data) => {
    if (tab.id && tab.live) socket.emit("terminal:data", { session_id: tab.id, data });
  });
  tab.term.onResize(() => sendSize(tab));
  nodes.empty.hidden = true;
  return tab;
}

function size(tab) {
  if (!tab.pane.hidden && !nodes.page.hidden) tab.fit.fit();
  return { cols: tab.term.cols, rows: tab.term.rows };
}

function sendSize(tab) {
  if (!tab.id || !tab.live) return;
  const { cols, rows } = size(tab);
  if (tab.sent && tab.sent.cols === cols && tab.sent.rows === rows) return;
  remember(tab, cols, rows);
  socket.emit("terminal:resize", { session_id: tab.id, cols, rows });
}

// The size the server's PTY has, also shown on the pane for tests and styling.
function remember(tab, cols, rows) {
  tab.sent = { cols, rows };
  tab.pane.dataset.cols = String(cols);
  tab.pane.dataset.rows = String(rows);
}

function bind(tab, id) {
  tab.id = id;
  tab.pane.dataset.sessionId = id;
  tab.button.dataset.sessionId = id;
  tabs.set(id, tab);
  for (const data of early.get(id) ?? []) tab.term.write(data);
  early.delete(id);
  persist();
}

function activate(tab) {
  active = tab;
  for (const other of new Set([...tabs.values(), tab])) {
    const selected = other === tab;
    other.pane.hidden = !selected;
    other.button.setAttribute("aria-selected", String(selected));
  }
  sendSize(tab);
  tab.term.focus();
}

function ended(tab, message) {
  if (!tab.live) return;
  tab.live = false;
  tab.header.classList.add("ended");
  tab.pane.dataset.ended = "true";
  tab.term.write(`\r\n\x1b[2m[${message}]\x1b[0m\r\n`);
  persist();
}

async function open(mode) {
  showError(nodes.error, null);
  const tab = makeTab(mode);
  activate(tab);
  const { cols, rows } = size(tab);
  const ack = await socket.call("terminal:create", { mode, cols, rows });
  if (!ack.ok) {
    showError(nodes.error, ack.error);
    discard(tab);
    return;
  }
  remember(tab, cols, rows);
  bind(tab, ack.session_id);
  sendSize(tab);
}

function discard(tab) {
  tab.term.dispose();
  tab.header.remove();
  tab.pane.remove();
  if (tab.id) tabs.delete(tab.id);
  persist();
  if (active === tab) {
    active = null;
    const next = [...tabs.values()].at(-1);
    if (next) activate(next);
  }
  nodes.empty.hidden = tabs.size > 0;
}

function close(tab) {
  if (tab.id && tab.live) socket.emit("terminal:destroy", { session_id: tab.id });
  discard(tab);
}

// After a reconnect the server replays the recent screen: start from a clean one.
async function attach(tab) {
  tab.term.reset();
  const { cols, rows } = size(tab);
  const ack = await socket.call("terminal:attach", { session_id: tab.id, cols, rows });
  if (!ack.ok) {
    ended(tab, ack.error?.message || "session ended");
    return;
  }
  remember(tab, cols, rows);
  tab.pane.dataset.attached = "true";
  sendSize(tab);
}

function restore() {
  for (const { id, mode, title } of saved()) {
    if (tabs.has(id)) continue;
    bind(makeTab(mode, title), id);
  }
  const first = [...tabs.values()][0];
  if (first && !active) activate(first);
}

function resume(id) {
  const tab = makeTab("kcode");
  bind(tab, id);
  activate(tab);
  attach(tab);
  loadDetached();
}

// kcode sessions keep running after their window went away; offer to open them again.
async function loadDetached() {
  const { sessions = [] } = await get("/api/code-sessions/?mine=1");
  const detached = sessions.filter((session) => !tabs.has(session.session_id));
  nodes.resumeList.replaceChildren(
    ...detached.map((session) =>
      el("button", { type: "button", class: "small", onclick: () => resume(session.session_id) }, `Resume kcode ${session.session_id.slice(0, 8)}`),
    ),
  );
  nodes.resume.hidden = detached.length === 0;
}

function onData({ session_id: id, data }) {
  const tab = tabs.get(id);
  if (tab) tab.term.write(data);
  else early.set(id, [...(early.get(id) ?? []), data]);
}

function onExit({ session_id: id, exit_code: code }) {
  const tab = tabs.get(id);
  if (tab) ended(tab, `process exited with code ${code ?? "?"}`);
}

function onDetached({ session_id: id }) {
  const tab = tabs.get(id);
  if (tab) ended(tab, "opened in another window");
}

function onError(error) {
  const tab = error.session_id ? tabs.get(error.session_id) : null;
  if (tab && ["not_found", "session_not_found", "gone"].includes(error.code)) ended(tab, error.message);
  else showError(nodes.error, error);
}

export function init() {
  Object.assign(nodes, {
    page: $("#page-terminal"),
    tabs: $("#terminal-tabs"),
    panes: $("#terminal-panes"),
    error: $("#terminal-error"),
    empty: $("#terminal-empty"),
    resume: $("#terminal-resume"),
    resumeList: $("#terminal-resume-list"),
  });
  $("#terminal-new-shell").addEventListener("click", () => open("shell"));
  $("#terminal-new-kcode").addEventListener("click", () => open("kcode"));
  socket.on("terminal:data", onData);
  socket.on("terminal:exit", onExit);
  socket.on("terminal:error", onError);
  socket.on("terminal:detached", onDetached);
  const refit = debounce(() => active && sendSize(active), RESIZE_DEBOUNCE_MS);
  new ResizeObserver(refit).observe(nodes.panes);
  window.addEventListener("resize", refit);
  restore();
  socket.onConnect(() => {
    for (const tab of tabs.values()) if (tab.live) attach(tab);
  });
}

export function show() {
  if (active) activate(active);
  loadDetached().catch(() => {});
}

export function signOut() {
  for (const tab of tabs.values()) if (tab.live) socket.emit("terminal:destroy", { session_id: tab.id });
  sessionStorage.removeItem(STORAGE_KEY);
}
