// Chat: conversation list, streamed replies with Stop, task type / project / RAG pickers, sources.
import { del, get, items } from "./api.js";
import { renderMarkdown } from "./markdown.js";
import * as projects from "./projects.js";
import * as socket from "./socket.js";
import { $, el, formatTime, showError } from "./ui.js";

let conversationId = null;
let streaming = null; // {body, text, conversationId, frame}
let features = {};

const nodes = {};

function messageItem(role, text, extra = {}) {
  const body = el("div", { class: "body markdown" });
  const item = el(
    "li",
    { class: `message ${role}`, dataset: { role } },
    el("div", { class: "meta" }, role === "user" ? "You" : "Assistant"),
    body,
  );
  if (role === "user") body.textContent = text;
  else renderMarkdown(body, text);
  decorate(item, extra);
  nodes.messages.append(item);
  item.scrollIntoView({ block: "end" });
  return { item, body };
}

// The model, the sources and an unusual finish reason (stopped, error) under a reply.
function decorate(item, { model, sources, finishReason }) {
  if (model) item.querySelector(".meta").append(el("span", { class: "model" }, model));
  if (sources?.length) item.append(sourcesList(sources));
  if (finishReason && !["stop", "length", "eos"].includes(finishReason)) {
    item.append(el("div", { class: "finish muted" }, `(${finishReason})`));
  }
}

function sourcesList(sources) {
  return el(
    "details",
    { class: "sources", open: true },
    el("summary", {}, `Sources (${sources.length})`),
    el(
      "ol",
      {},
      sources.map((source, index) =>
        el(
          "li",
          { class: "source", dataset: { documentId: String(source.document_id ?? "") } },
          el("strong", {}, source.title || `Source ${index + 1}`),
          source.excerpt ? el("blockquote", {}, source.excerpt) : null,
        ),
      ),
    ),
  );
}

function setStreaming(on) {
  nodes.send.hidden = on;
  nodes.stop.hidden = !on;
  nodes.input.disabled = false;
  nodes.messages.setAttribute("aria-busy", String(on));
}

function scheduleRender() {
  if (!streaming || streaming.frame) return;
  streaming.frame = requestAnimationFrame(() => {
    if (!streaming) return;
    streaming.frame = null;
    renderMarkdown(streaming.body, streaming.text);
    streaming.body.scrollIntoView({ block: "end" });
  });
}

function finish() {
  if (streaming?.frame) cancelAnimationFrame(streaming.frame);
  streaming = null;
  setStreaming(false);
}

function onToken({ token, conversation_id: id }) {
  if (!streaming || (streaming.conversationId && id && id !== streaming.conversationId)) return;
  streaming.conversationId ??= id;
  streaming.text += token;
  scheduleRender();
}

function onDone(done) {
  if (!streaming || (streaming.conversationId && done.conversation_id && done.conversation_id !== streaming.conversationId)) {
    return;
  }
  const { item, body } = streaming;
  finish();
  renderMarkdown(body, done.response ?? "");
  item.dataset.done = "true";
  item.dataset.finishReason = done.finish_reason ?? "";
  decorate(item, { model: done.model, sources: done.sources, finishReason: done.finish_reason });
  if (done.conversation_id) conversationId = done.conversation_id;
  loadConversations().catch(() => {});
}

// A failure during generation names its conversation and is followed by chat:done with the
// partial reply; a refused request (bad project, limits) ends the attempt at once.
function onError(error) {
  if (streaming && error.conversation_id && streaming.conversationId && error.conversation_id !== streaming.conversationId) {
    return;
  }
  showError(nodes.error, error);
  if (streaming && !error.conversation_id) {
    streaming.item.dataset.done = "error";
    finish();
  }
}

async function send(text) {
  showError(nodes.error, null);
  messageItem("user", text);
  const { item, body } = messageItem("assistant", "");
  item.dataset.done = "false";
  streaming = { item, body, text: "", conversationId, frame: null };
  setStreaming(true);
  const payload = { message: text, task_type: nodes.taskType.value || "chat", use_rag: nodes.rag.checked };
  if (conversationId) payload.conversation_id = conversationId;
  if (projects.currentProject()) payload.project = projects.currentProject();
  const ack = await socket.call("chat:send", payload, 600000);
  if (ack && !ack.ok && streaming?.item === item) {
    showError(nodes.error, ack.error);
    item.dataset.done = "error";
    finish();
  } else if (ack?.conversation_id && streaming?.item === item) {
    streaming.conversationId ??= ack.conversation_id;
  }
}

function stop() {
  socket.emit("chat:stop", streaming?.conversationId ? { conversation_id: streaming.conversationId } : {});
}

function newChat() {
  if (streaming) stop();
  finish();
  conversationId = null;
  nodes.messages.replaceChildren();
  highlightCurrent();
  nodes.input.focus();
}

async function openConversation(id) {
  if (streaming) return;
  const conversation = await get(`/api/conversations/${id}/`);
  conversationId = conversation.id;
  nodes.messages.replaceChildren();
  const messages = conversation.messages ?? items(await get(`/api/conversations/${id}/messages/`));
  for (const message of messages) {
    if (message.role === "system") continue;
    messageItem(message.role, message.content, {
      model: message.model,
      sources: message.sources,
      finishReason: message.finish_reason,
    });
  }
  if (conversation.task_type) nodes.taskType.value = conversation.task_type;
  projects.select(conversation.project ?? "");
  highlightCurrent();
}

function highlightCurrent() {
  for (const item of nodes.list.children) {
    if (item.dataset.id === String(conversationId)) item.setAttribute("aria-current", "true");
    else item.removeAttribute("aria-current");
  }
}

async function removeConversation(id) {
  await del(`/api/conversations/${id}/`);
  if (String(id) === String(conversationId)) newChat();
  await loadConversations();
}

async function loadConversations() {
  const conversations = items(await get("/api/conversations/"));
  nodes.list.replaceChildren(
    ...conversations.map((conversation) => {
      const title = conversation.title || `Conversation ${conversation.id}`;
      return el(
        "li",
        { dataset: { id: String(conversation.id) } },
        el(
          "button",
          { type: "button", class: "link conversation", title: formatTime(conversation.updated_at), onclick: () => openConversation(conversation.id).catch((e) => showError(nodes.error, e)) },
          title,
        ),
        features.write
          ? el("button", { type: "button", class: "icon", "aria-label": `Delete ${title}`, onclick: () => removeConversation(conversation.id).catch((e) => showError(nodes.error, e)) }, "×")
          : null,
      );
    }),
  );
  highlightCurrent();
}

// /api/ai/status: {routes: {task_type: [backend, ...]}, backends: {name: {model, status, ...}}}
async function loadStatus() {
  const { routes = {}, backends = {} } = await get("/api/ai/status");
  const names = Object.keys(routes);
  if (names.length) {
    const chosen = nodes.taskType.value;
    nodes.taskType.replaceChildren(...names.map((name) => el("option", { value: name }, name)));
    nodes.taskType.value = names.includes(chosen) ? chosen : names.includes("chat") ? "chat" : names[0];
  }
  const showModel = () => {
    const backend = backends[(routes[nodes.taskType.value] ?? [])[0]];
    nodes.model.textContent = backend ? `${backend.model ?? ""} (${backend.status ?? "?"})` : "";
  };
  nodes.taskType.onchange = showModel;
  showModel();
}

export function init(allowed) {
  features = allowed;
  Object.assign(nodes, {
    list: $("#chat-conversations"),
    messages: $("#chat-messages"),
    error: $("#chat-error"),
    form: $("#chat-form"),
    input: $("#chat-input"),
    send: $("#chat-send"),
    stop: $("#chat-stop"),
    taskType: $("#chat-task-type"),
    rag: $("#chat-rag"),
    model: $("#chat-model"),
  });
  nodes.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = nodes.input.value.trim();
    if (!text || streaming) return;
    nodes.input.value = "";
    send(text).catch((error) => onError(error));
  });
  nodes.input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      nodes.form.requestSubmit();
    }
  });
  nodes.stop.addEventListener("click", stop);
  $("#chat-new").addEventListener("click", newChat);
  socket.on("chat:token", onToken);
  socket.on("chat:done", onDone);
  socket.on("chat:error", onError);
  // The server stops a reply whose client went away; the partial answer stays in the history.
  socket.on("disconnect", () => {
    if (!streaming) return;
    streaming.item.dataset.done = "error";
    finish();
    showError(nodes.error, new Error("The connection was lost; the partial answer was kept."));
  });
  loadStatus().catch(() => {});
}

export function show() {
  loadConversations().catch((error) => showError(nodes.error, error));
  nodes.input.focus();
}

export function signOut() {
  if (streaming) stop();
}
