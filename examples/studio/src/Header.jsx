// Credits, the lead badge and the connection indicator: all live through the hooks.
import { useSyncExternalStore } from 'react';
import { useAccount, useConnectionState, useTaskLead } from '@conveyor/react';

function subscribeOnline(listener) {
  window.addEventListener('online', listener);
  window.addEventListener('offline', listener);
  return () => {
    window.removeEventListener('online', listener);
    window.removeEventListener('offline', listener);
  };
}
const useOnline = () => useSyncExternalStore(subscribeOnline, () => navigator.onLine);

const CONNECTION = {
  connecting: { label: 'Connecting', tone: 'wait' },
  live: { label: 'Live', tone: 'ok', title: 'Realtime updates over the WebSocket' },
  reconnecting: { label: 'Reconnecting', tone: 'wait', title: 'The connection dropped; reconnecting' },
  polling: { label: 'Polling', tone: 'warn', title: 'Realtime is down: checking for changes every few seconds' },
  closed: { label: 'Offline', tone: 'bad', title: 'Disconnected' },
};

export function Header({ onSignOut }) {
  const state = useConnectionState();
  const offline = !useOnline();
  const shown = offline ? { label: 'Offline', tone: 'bad', title: 'The browser is offline' } : CONNECTION[state];
  const { isLeader } = useTaskLead();
  const account = useAccount();
  return (
    <header className="topbar">
      <h1>Conveyor Studio</h1>
      <div className="badges">
        <span id="credits" className="badge" title="Credits available (held credits are reserved by running tasks)">
          {account.data ? `${account.data.available} credits` : '… credits'}
          {account.data?.held ? <small> ({account.data.held} held)</small> : null}
        </span>
        <span id="lead" className={`badge ${isLeader ? 'ok' : 'muted'}`} data-leader={String(isLeader)}
          title="One tab per user leads: it would run browser-side task processors">
          {isLeader ? 'Lead tab' : 'Follower tab'}
        </span>
        <span id="connection" className={`badge ${shown.tone}`} data-state={offline ? 'offline' : state} title={shown.title}
          role="status">
          <span className="dot" aria-hidden="true" /> {shown.label}
        </span>
        <button type="button" className="link" onClick={onSignOut}>Sign out</button>
      </div>
    </header>
  );
}
