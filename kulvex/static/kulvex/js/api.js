// REST calls with the access token; one retry after a refresh when the server says 401.
import { accessToken, refresh } from "./auth.js";

export class ApiError extends Error {
  constructor(status, data) {
    super(messageOf(data) || `Request failed (${status}).`);
    this.status = status;
    this.data = data;
  }
}

function messageOf(data) {
  if (!data || typeof data !== "object") return "";
  if (typeof data.detail === "string") return data.detail;
  if (data.error?.message) return data.error.message;
  const [field, problem] = Object.entries(data)[0] ?? [];
  return field ? `${field}: ${Array.isArray(problem) ? problem.join(" ") : problem}` : "";
}

async function send(method, path, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${accessToken()}` };
  if (body !== undefined && !(body instanceof FormData)) headers["Content-Type"] = "application/json";
  return fetch(path, {
    method,
    headers,
    body: body === undefined || body instanceof FormData ? body : JSON.stringify(body),
  });
}

export async function request(method, path, body) {
  let response = await send(method, path, body);
  if (response.status === 401) {
    await refresh();
    response = await send(method, path, body);
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

export const get = (path) => request("GET", path);
export const post = (path, body) => request("POST", path, body ?? {});
export const patch = (path, body) => request("PATCH", path, body);
export const del = (path) => request("DELETE", path);

// Lists may come paginated ({results: [...]}) or bare.
export const items = (data) => (Array.isArray(data) ? data : data?.results ?? []);

// Upload through XHR because fetch cannot report upload progress.
export function upload(path, form, onProgress) {
  const attempt = () =>
    new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", path);
      xhr.setRequestHeader("Authorization", `Bearer ${accessToken()}`);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.responseType = "json";
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded / event.total);
      };
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("The upload failed: network error."));
      xhr.send(form);
    });
  return attempt().then(async (xhr) => {
    if (xhr.status === 401) {
      await refresh();
      xhr = await attempt();
    }
    if (xhr.status < 200 || xhr.status >= 300) throw new ApiError(xhr.status, xhr.response);
    return xhr.response;
  });
}
