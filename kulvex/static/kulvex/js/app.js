// Boot: sign-in, role-aware navigation, hash routing between pages.
import * as auth from "./auth.js";
import { get } from "./api.js";
import * as socket from "./socket.js";
import * as projects from "./projects.js";
import { $, showError } from "./ui.js";
import * as chat from "./chat.js";
import * as documents from "./documents.js";
import * as voice from "./voice.js";
import * as terminal from "./terminal.js";
import * as sessions from "./sessions.js";

const PAGES = { chat, documents, voice, terminal, sessions };
let features = {};

function allowedPage(name) {
  return name in PAGES && features[name];
}

function route() {
  const wanted = location.hash.slice(1);
  const name = allowedPage(wanted) ? wanted : "chat";
  for (const section of document.querySelectorAll("main > .page")) {
    section.hidden = section.dataset.page !== name;
  }
  for (const link of document.querySelectorAll("#main-nav a[data-page]")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  closeMenu();
  PAGES[name].show?.();
}

function applyFeatures() {
  for (const link of document.querySelectorAll("#main-nav a[data-page]")) {
    link.hidden = !features[link.dataset.page];
  }
  for (const node of document.querySelectorAll("[data-feature]")) {
    node.hidden = !features[node.dataset.feature];
  }
}

function closeMenu() {
  $("#main-nav").classList.remove("open");
  $("#nav-toggle").setAttribute("aria-expanded", "false");
}

async function enter() {
  const profile = await get("/api/dashboard/profile");
  auth.setUser(profile.user);
  features = profile.features;
  $("#who-name").textContent = profile.user.username;
  $("#who-role").textContent = profile.user.role;
  document.body.dataset.role = profile.user.role;
  applyFeatures();
  $("#login-view").hidden = true;
  $("#app-view").hidden = false;
  socket.connect();
  projects.init();
  projects.load().catch(() => {});
  // Every allowed page starts now: terminals must re-attach within the grace period even when
  // the page shown first is another one.
  for (const [name, page] of Object.entries(PAGES)) if (features[name]) page.init?.(features);
  route();
}

function showLogin(message) {
  $("#app-view").hidden = true;
  $("#login-view").hidden = false;
  showError($("#login-error"), message ? new Error(message) : null);
  $("#login-username").focus();
}

async function signOut() {
  await Promise.allSettled(Object.values(PAGES).map((page) => page.signOut?.()));
  socket.disconnect();
  auth.logout();
}

function wire() {
  $("#login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = event.submitter;
    button.disabled = true;
    try {
      await auth.login($("#login-username").value.trim(), $("#login-password").value);
      $("#login-password").value = "";
      await enter();
    } catch (error) {
      showError($("#login-error"), error);
    } finally {
      button.disabled = false;
    }
  });
  $("#logout").addEventListener("click", signOut);
  $("#nav-toggle").addEventListener("click", () => {
    const open = $("#main-nav").classList.toggle("open");
    $("#nav-toggle").setAttribute("aria-expanded", String(open));
  });
  window.addEventListener("hashchange", route);
  socket.onStatus((state) => {
    const badge = $("#connection");
    badge.dataset.state = state;
    badge.textContent = state;
  });
  // Signed out here, in another module (refresh token expired), or never signed in: a clean page.
  auth.onChange((state) => {
    if (!state && !$("#app-view").hidden) location.reload();
  });
}

wire();
if (auth.user()) {
  enter().catch(() => {
    auth.logout();
    showLogin("Your session has expired; sign in again.");
  });
} else {
  showLogin();
}
