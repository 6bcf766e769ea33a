// The hooks against the real platform the e2e harness (ReactStudioIT) started; its environment is ClientSdkIT's
// (TASK_API_URL, GENERATION_URL, GATEWAY_URL, ADMIN_TOKEN, CONVEYOR_USERS, CONVEYOR_CONTROL_URL), so the SDK's
// integration helpers are reused as they are. Import this module before ../dom.js: the SDK's admin client there
// must keep Node's fetch (happy-dom's applies browser CORS rules to a page origin the services do not allow).
import WebSocket from 'ws';
import { createElement as h } from 'react';
import { createConveyor } from '@conveyor/client';
import { ConveyorProvider, defaultQueryClient } from '../../src/index.js';

export { env, gateway, grantCredits, imageTask, user, waitFor } from '../../../js/test/integration/platform.js';

const nodeFetch = globalThis.fetch;

/**
 * A conveyor of the real platform for a user, as a tab would have, but with Node's fetch and the ws package's
 * WebSocket, and no sessionStorage (each client is its own tab: its own lead client id).
 */
export function connect(u, { taskApiUrl, generationUrl, gatewayUrl }) {
  return createConveyor({
    taskApiUrl, generationUrl, gatewayUrl, getToken: async () => u.token, WebSocket, fetch: nodeFetch,
    environment: { storage: null },
  });
}

/** A provider around `children` for `conveyor`, with a QueryClient whose data changes only when realtime says so. */
export function app(conveyor, children) {
  const queryClient = defaultQueryClient();
  queryClient.setDefaultOptions({ queries: { staleTime: Infinity, retry: false, refetchOnWindowFocus: false, refetchOnReconnect: false } });
  return { queryClient, element: h(ConveyorProvider, { client: conveyor, queryClient }, children) };
}
