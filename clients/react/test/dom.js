// A DOM for React Testing Library under node's test runner (happy-dom). Import first in every test file that renders.
import { GlobalRegistrator } from '@happy-dom/global-registrator';

// Node's own fetch, kept for tests that talk to the real platform (happy-dom's enforces browser CORS rules).
export const nodeFetch = globalThis.fetch;
GlobalRegistrator.register({ url: 'http://localhost:5173/' });
globalThis.IS_REACT_ACT_ENVIRONMENT = true;

// happy-dom's window keeps timers and a task queue alive; close it so the test process can exit.
import { after } from 'node:test';
after(async () => {
  await new Promise((resolve) => setTimeout(resolve, 50)); // let React's last scheduled work run while window exists
  await GlobalRegistrator.unregister();
});
