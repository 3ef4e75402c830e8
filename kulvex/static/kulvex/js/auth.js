// Who is signed in: tokens live in sessionStorage (per tab, gone with it) and are refreshed
// shortly before the access token expires, so sockets and requests never carry a stale one.
const STORAGE_KEY = "kulvex.auth";
const RETRY_MS = 5000;

let state = load();
let refreshTimer = null;
let refreshing = null;
const listeners = new Set();

function load() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY)) || null;
  } catch {
    return null;
  }
}

function save(next) {
  state = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  schedule();
  for (const listener of listeners) listener(state);
}

function claims(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch {
    return {};
  }
}

// Refresh when a fifth of the token's life (at most a minute) is left.
function refreshDelay(token) {
  const { exp, iat } = claims(token);
  if (!exp) return 0;
  const margin = Math.min(60, ((exp - (iat || exp)) / 5));
  return Math.max(0, (exp - margin) * 1000 - Date.now());
}

function schedule() {
  clearTimeout(refreshTimer);
  if (state?.refresh) refreshTimer = setTimeout(() => refresh().catch(() => {}), refreshDelay(state.access));
}

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  return { response, data };
}

export function user() {
  return state?.user ?? null;
}

export function accessToken() {
  return state?.access ?? null;
}

export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export async function login(username, password) {
  const { response, data } = await post("/api/auth/login", { username, password });
  if (!response.ok) throw new Error(data.detail || "Sign-in failed.");
  save({ access: data.access_token, refresh: data.refresh_token, user: data.user });
  return data.user;
}

export function logout() {
  save(null);
}

// One refresh at a time; an expired or revoked refresh token signs the user out.
export function refresh() {
  if (!state?.refresh) return Promise.reject(new Error("Not signed in."));
  refreshing ??= (async () => {
    try {
      const { response, data } = await post("/api/auth/refresh", { refresh_token: state.refresh });
      if (response.status === 401 || response.status === 400) {
        save(null);
        throw new Error("Your session has expired; sign in again.");
      }
      if (!response.ok) throw new Error(data.detail || "Could not refresh the session.");
      save({ ...state, access: data.access_token });
      return data.access_token;
    } catch (error) {
      if (state) {
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => refresh().catch(() => {}), RETRY_MS);
      }
      throw error;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

export function setUser(next) {
  if (state) save({ ...state, user: next });
}

schedule();
