// Where the services are: ?taskApiUrl=&generationUrl=&gatewayUrl= in the page's URL (kept for the session), else the
// VITE_* variables `./conveyor studio` passes from .conveyor/env, else `./conveyor up`'s default ports.
const PARAMS = ['taskApiUrl', 'generationUrl', 'gatewayUrl'];
const DEFAULTS = {
  taskApiUrl: import.meta.env.VITE_TASK_API_URL || 'http://127.0.0.1:8081',
  generationUrl: import.meta.env.VITE_GENERATION_URL || 'http://127.0.0.1:8082',
  gatewayUrl: import.meta.env.VITE_GATEWAY_URL || 'http://127.0.0.1:8083',
};

export function serviceUrls(location = window.location, storage = window.sessionStorage) {
  const query = new URLSearchParams(location.search);
  const urls = {};
  for (const name of PARAMS) {
    const given = query.get(name);
    if (given) storage.setItem(`studio.${name}`, given);
    urls[name] = given || storage.getItem(`studio.${name}`) || DEFAULTS[name];
  }
  return urls;
}

const TOKEN_KEY = 'studio.token';
export const savedToken = () => window.localStorage.getItem(TOKEN_KEY) || '';
export const saveToken = (token) => window.localStorage.setItem(TOKEN_KEY, token);
export const forgetToken = () => window.localStorage.removeItem(TOKEN_KEY);
