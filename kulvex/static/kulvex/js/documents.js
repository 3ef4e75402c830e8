// Documents: upload with progress, indexing status (polled while pending), delete, per project.
import { del, get, items, upload } from "./api.js";
import * as projects from "./projects.js";
import { $, el, formatBytes, formatTime, showError } from "./ui.js";

const POLL_MS = 1500;
let features = {};
let pollTimer = null;
let lastUpload = null; // {id, title}: its indexing outcome is reported under the form
const nodes = {};

function listPath() {
  const project = projects.currentProject();
  return project ? `/api/documents/?project=${encodeURIComponent(project)}` : "/api/documents/";
}

function row(doc) {
  const status = el("span", { class: `status status-${doc.status}`, title: doc.error || "" }, doc.status);
  return el(
    "tr",
    { dataset: { id: String(doc.id), status: doc.status } },
    el("td", { class: "title" }, doc.title),
    el("td", {}, status, doc.error ? el("div", { class: "error small" }, doc.error) : null),
    el("td", {}, String(doc.chunk_count ?? "")),
    el("td", {}, formatBytes(doc.size)),
    el("td", {}, formatTime(doc.created_at)),
    el(
      "td",
      {},
      features.write
        ? el("button", { type: "button", class: "danger small", "aria-label": `Delete ${doc.title}`, onclick: () => remove(doc) }, "Delete")
        : null,
    ),
  );
}

async function refresh() {
  clearTimeout(pollTimer);
  const documents = items(await get(listPath()));
  nodes.list.replaceChildren(...documents.map(row));
  nodes.empty.hidden = documents.length > 0;
  const uploaded = lastUpload && documents.find((doc) => doc.id === lastUpload.id);
  if (uploaded) nodes.status.textContent = uploadStatus(uploaded);
  if (documents.some((doc) => doc.status === "pending") && !nodes.page.hidden) {
    pollTimer = setTimeout(() => refresh().catch((error) => showError(nodes.error, error)), POLL_MS);
  }
}

function uploadStatus(doc) {
  if (doc.status === "indexed") return `${doc.title}: indexed (${doc.chunk_count} chunks).`;
  if (doc.status === "failed") return `${doc.title}: indexing failed.`;
  return `Uploaded ${doc.title}; indexing…`;
}

async function remove(doc) {
  if (!confirm(`Delete “${doc.title}”?`)) return;
  try {
    await del(`/api/documents/${doc.id}/`);
    await refresh();
  } catch (error) {
    showError(nodes.error, error);
  }
}

async function submitUpload(event) {
  event.preventDefault();
  const file = nodes.file.files[0];
  if (!file) return;
  showError(nodes.error, null);
  const form = new FormData();
  form.append("file", file);
  form.append("title", file.name);
  if (projects.currentProject()) form.append("project", projects.currentProject());
  const button = event.submitter;
  button.disabled = true;
  nodes.progress.hidden = false;
  nodes.progress.value = 0;
  nodes.status.textContent = `Uploading ${file.name}…`;
  try {
    const doc = await upload("/api/documents/", form, (fraction) => {
      nodes.progress.value = Math.round(fraction * 100);
    });
    nodes.progress.value = 100;
    lastUpload = { id: doc.id, title: doc.title };
    nodes.status.textContent = uploadStatus(doc);
    nodes.file.value = "";
    await refresh();
  } catch (error) {
    nodes.status.textContent = "";
    showError(nodes.error, error);
  } finally {
    button.disabled = false;
  }
}

async function addProject(event) {
  event.preventDefault();
  const name = $("#project-name").value.trim();
  if (!name) return;
  try {
    await projects.create(name);
    $("#project-name").value = "";
  } catch (error) {
    showError(nodes.error, error);
  }
}

export function init(allowed) {
  features = allowed;
  Object.assign(nodes, {
    page: $("#page-documents"),
    list: $("#documents-list"),
    empty: $("#documents-empty"),
    error: $("#documents-error"),
    file: $("#upload-file"),
    progress: $("#upload-progress"),
    status: $("#upload-status"),
  });
  $("#upload-form").addEventListener("submit", submitUpload);
  $("#project-form").addEventListener("submit", addProject);
  projects.onChange(() => {
    if (!nodes.page.hidden) refresh().catch((error) => showError(nodes.error, error));
  });
}

export function show() {
  refresh().catch((error) => showError(nodes.error, error));
}
