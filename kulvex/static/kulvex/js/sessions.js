// Sessions: live and past voice/terminal sessions; admins see everyone's and can end a terminal.
import { get, items, post } from "./api.js";
import { $, el, formatBytes, formatTime, showError } from "./ui.js";

let features = {};
const nodes = {};

function details(session) {
  if (session.kind === "terminal") {
    const parts = [`${session.mode} ${session.cols}×${session.rows}`, `${formatBytes(session.bytes_in)} in`, `${formatBytes(session.bytes_out)} out`];
    if (session.exit_code != null) parts.push(`exit ${session.exit_code}`);
    return parts.join(", ");
  }
  return [`${session.language || "?"} ${session.engine}`, `${session.turns} turns`, `${Math.round(session.audio_seconds || 0)} s audio`].join(", ");
}

function state(session) {
  if (session.live) return el("span", { class: "status status-live" }, "live");
  return el("span", { class: "status status-ended", title: formatTime(session.ended_at) }, session.end_reason || "ended");
}

function row(session) {
  return el(
    "tr",
    { dataset: { kind: session.kind, id: String(session.id), live: String(session.live) } },
    el("td", {}, session.kind),
    el("td", { class: "mono" }, String(session.id)),
    el("td", {}, session.user?.username ?? ""),
    el("td", {}, formatTime(session.started_at)),
    el("td", {}, state(session)),
    el("td", {}, details(session)),
    el(
      "td",
      {},
      session.can_end
        ? el("button", { type: "button", class: "danger small", "aria-label": `End terminal session ${session.id}`, onclick: () => end(session) }, "End")
        : null,
    ),
  );
}

async function refresh() {
  const query = new URLSearchParams();
  if (nodes.ended.checked) query.set("ended", "1");
  if (features.all_sessions && nodes.everyone.checked) query.set("everyone", "1");
  const sessions = items(await get(`/api/sessions/?${query}`));
  nodes.list.replaceChildren(...sessions.map(row));
  nodes.empty.hidden = sessions.length > 0;
  showError(nodes.error, null);
}

async function end(session) {
  if (!confirm(`End terminal session ${session.id} of ${session.user?.username}?`)) return;
  try {
    await post(`/api/sessions/terminal/${encodeURIComponent(session.id)}/end`);
    await refresh();
  } catch (error) {
    showError(nodes.error, error);
  }
}

export function init(allowed) {
  features = allowed;
  Object.assign(nodes, {
    list: $("#sessions-list"),
    empty: $("#sessions-empty"),
    error: $("#sessions-error"),
    ended: $("#sessions-ended"),
    everyone: $("#sessions-everyone"),
  });
  const reload = () => refresh().catch((error) => showError(nodes.error, error));
  nodes.ended.addEventListener("change", reload);
  nodes.everyone.addEventListener("change", reload);
  $("#sessions-refresh").addEventListener("click", reload);
}

export function show() {
  refresh().catch((error) => showError(nodes.error, error));
}
