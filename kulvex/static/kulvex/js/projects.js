// The current project (its slug), shared by every project picker on the page.
import { get, items, post } from "./api.js";
import { el } from "./ui.js";

let projects = [];
let current = sessionStorage.getItem("kulvex.project") || "";
const listeners = new Set();

function pickers() {
  return document.querySelectorAll("select.project-picker");
}

function render() {
  for (const select of pickers()) {
    select.replaceChildren(
      el("option", { value: "" }, "No project"),
      ...projects.map((project) => el("option", { value: project.slug }, project.name)),
    );
    select.value = current;
  }
}

export function currentProject() {
  return current;
}

function known(slug) {
  return projects.some((project) => project.slug === slug);
}

export function select(slug) {
  current = slug || "";
  sessionStorage.setItem("kulvex.project", current);
  for (const picker of pickers()) picker.value = current;
  for (const listener of listeners) listener(current);
}

export function onChange(listener) {
  listeners.add(listener);
}

export async function load() {
  projects = items(await get("/api/projects/"));
  if (current && !known(current)) current = "";
  render();
  return projects;
}

export async function create(name) {
  const project = await post("/api/projects/", { name });
  await load();
  select(project.slug);
  return project;
}

export function init() {
  for (const picker of pickers()) picker.addEventListener("change", () => select(picker.value));
}
