// Authenticated JSON over fetch: a token from getToken (refreshed after a 401, retried once), problem+json errors as
// ConveyorError, network failures as code 'network'.
import { ConveyorError, networkError, responseError } from './errors.js';
import { jwtPayload } from './util.js';

const EXPIRY_MARGIN_MS = 30000;

/**
 * Holds the latest token. `current()` reuses it while it is not within 30 s of its `exp`; `fresh()` always asks
 * getToken (every socket (re)connect, after a 401 / close 4401). Concurrent asks share one getToken call.
 */
export function tokenSource(getToken, now = () => Date.now()) {
  if (typeof getToken !== 'function') throw new TypeError('createConveyor: getToken must be a function returning a token');
  let token = null;
  let pending = null;

  function ask() {
    if (!pending) {
      pending = Promise.resolve()
        .then(() => getToken())
        .then((t) => {
          if (typeof t !== 'string' || !t) throw new TypeError('getToken did not return a token');
          token = t;
          return t;
        })
        .finally(() => {
          pending = null;
        });
    }
    return pending;
  }

  return {
    fresh: ask,
    current() {
      if (token && !expiresSoon(token, now())) return Promise.resolve(token);
      return ask();
    },
    /** The last token seen (null before the first), e.g. to read its subject. */
    peek: () => token,
  };
}

function expiresSoon(token, nowMs) {
  const payload = jwtPayload(token);
  if (!payload || typeof payload.exp !== 'number') return false;
  return payload.exp * 1000 - nowMs < EXPIRY_MARGIN_MS;
}

/**
 * request(baseUrl, method, path, {query, body, headers, retries, keepalive}) -> parsed JSON (null for 204 / empty).
 * `retries`: how many times a network failure or a 502/503/504 is retried (only for calls that are safe to repeat).
 * `notModified`: a function answering the body to return for a 304; `onOk(response, body)` sees a 2xx answer.
 */
export function createHttp({ fetch: fetchImpl, tokens, onResponse, sleep }) {
  const doFetch = fetchImpl || (typeof fetch === 'function' ? fetch.bind(globalThis) : null);
  if (!doFetch) throw new TypeError('createConveyor: no fetch in this runtime; pass the fetch option');

  async function attempt(url, init, forceFreshToken) {
    const token = forceFreshToken ? await tokens.fresh() : await tokens.current();
    const headers = { Accept: 'application/json', ...init.headers, Authorization: `Bearer ${token}` };
    try {
      return await doFetch(url, { ...init, headers });
    } catch (e) {
      if (e && e.name === 'AbortError') throw e;
      throw networkError(e, `${init.method} ${url}`);
    }
  }

  return async function request(baseUrl, method, path, options = {}) {
    if (!baseUrl) throw new TypeError(`no base URL configured for ${method} ${path}`);
    const url = buildUrl(baseUrl, path, options.query);
    const init = { method, headers: { ...(options.headers || {}) } };
    if (options.body !== undefined) {
      init.body = JSON.stringify(options.body);
      init.headers['Content-Type'] = 'application/json';
    }
    if (options.keepalive) init.keepalive = true;
    if (options.signal) init.signal = options.signal;
    const retries = options.retries || 0;
    let tries = 0;
    let refreshed = false;
    for (;;) {
      let response;
      try {
        response = await attempt(url, init, false);
        if (response.status === 401 && !refreshed) {
          refreshed = true;
          await drain(response);
          response = await attempt(url, init, true);
        }
      } catch (e) {
        if (e && e.code === 'network' && tries < retries) {
          tries++;
          await sleep(retryDelay(tries));
          continue;
        }
        throw e;
      }
      if (onResponse) onResponse(response);
      if ([502, 503, 504].includes(response.status) && tries < retries) {
        tries++;
        await drain(response);
        await sleep(retryDelay(tries));
        continue;
      }
      if (response.status === 304 && options.notModified) return options.notModified(response);
      if (!response.ok) throw await responseError(response);
      const body = await readJson(response);
      if (options.onOk) options.onOk(response, body);
      return body;
    }
  };
}

function retryDelay(tries) {
  return 250 * 2 ** (tries - 1);
}

async function drain(response) {
  try {
    await response.arrayBuffer();
  } catch {
    // nothing to do
  }
}

async function readJson(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new ConveyorError({
      status: response.status, code: 'bad_response', title: 'The answer is not JSON', detail: text.slice(0, 200),
    });
  }
}

export function buildUrl(baseUrl, path, query) {
  let url = baseUrl.replace(/\/+$/, '') + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null) continue;
      params.set(k, Array.isArray(v) ? v.join(',') : String(v));
    }
    const qs = params.toString();
    if (qs) url += (url.includes('?') ? '&' : '?') + qs;
  }
  return url;
}

/** For the WebSocket: http(s)://host/base -> ws(s)://host/base/v1/realtime. */
export function realtimeUrl(gatewayUrl) {
  return `${gatewayUrl.replace(/\/+$/, '').replace(/^http/i, 'ws')}/v1/realtime`;
}
