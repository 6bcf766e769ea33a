// Sign-in (a dev token from `./conveyor token`), then the studio inside one ConveyorProvider per token.
import { useMemo, useState } from 'react';
import { ConveyorProvider } from '@conveyor/react';
import { forgetToken, saveToken, savedToken, serviceUrls } from './config.js';
import { Studio } from './Studio.jsx';
import { ToastProvider } from './Toasts.jsx';

export function App() {
  const [token, setToken] = useState(savedToken);
  const urls = useMemo(() => serviceUrls(), []);
  // One conveyor per signed-in token; the provider creates it after mount and closes it on sign-out.
  const options = useMemo(() => (token ? { ...urls, getToken: () => token } : null), [urls, token]);
  if (!options) {
    return <SignIn onSignIn={(t) => { saveToken(t); setToken(t); }} />;
  }
  return (
    <ConveyorProvider options={options} fallback={<p className="center">Connecting…</p>}>
      <ToastProvider>
        <Studio onSignOut={() => { forgetToken(); setToken(''); }} />
      </ToastProvider>
    </ConveyorProvider>
  );
}

function SignIn({ onSignIn }) {
  const [value, setValue] = useState('');
  return (
    <main className="signin">
      <h1>Conveyor Studio</h1>
      <form onSubmit={(e) => { e.preventDefault(); if (value.trim()) onSignIn(value.trim()); }}>
        <label htmlFor="token">Access token</label>
        <textarea id="token" rows={4} value={value} onChange={(e) => setValue(e.target.value)} required
          placeholder="eyJ…" spellCheck={false} />
        <p className="hint">
          A dev token: <code>./conveyor token</code>, or <code>USER_TOKEN</code> in <code>.conveyor/env</code> after
          <code> ./conveyor up</code>.
        </p>
        <button type="submit" id="signin">Sign in</button>
      </form>
    </main>
  );
}
