// Shared by the unit tests that render hooks: a fake conveyor in a ConveyorProvider with a fresh QueryClient, and the
// clean-up after each test (unmount everything; clear the QueryClients, whose garbage-collection timers would keep
// the process alive for gcTime).
import { afterEach } from 'node:test';
import { createElement as h } from 'react';
import { cleanup } from '@testing-library/react';
import { ConveyorProvider, defaultQueryClient } from '../src/index.js';
import { fakeConveyor } from './fake-conveyor.js';

const queryClients = [];
afterEach(() => {
  cleanup();
  for (const qc of queryClients.splice(0)) qc.clear();
});

/** A QueryClient cleared after the test. */
export function testQueryClient() {
  const queryClient = defaultQueryClient();
  queryClients.push(queryClient);
  return queryClient;
}

/** `{fake, queryClient, wrapper}`: render with `{wrapper}` to put hooks under a provider of the fake conveyor. */
export function setup(data = {}) {
  const fake = fakeConveyor({ data });
  const queryClient = testQueryClient();
  const wrapper = ({ children }) => h(ConveyorProvider, { client: fake.conveyor, queryClient }, children);
  return { fake, queryClient, wrapper };
}
