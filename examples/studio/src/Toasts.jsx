// Toasts: success ones go away after 5 s, failures stay until dismissed (a user should see them).
import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';

const ToastContext = createContext(() => {});
export const useToast = () => useContext(ToastContext);

export function ToastProvider({ children }) {
  const [toasts, setToasts] = useState([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const push = useCallback((toast) => {
    const id = nextId.current++;
    setToasts((list) => [...list, { id, ...toast }]);
  }, []);
  return (
    <ToastContext.Provider value={push}>
      {children}
      <ol className="toasts" aria-live="polite" aria-label="Notifications">
        {toasts.map((t) => <Toast key={t.id} toast={t} onDismiss={dismiss} />)}
      </ol>
    </ToastContext.Provider>
  );
}

function Toast({ toast, onDismiss }) {
  useEffect(() => {
    if (toast.kind === 'error') return undefined;
    const timer = setTimeout(() => onDismiss(toast.id), 5000);
    return () => clearTimeout(timer);
  }, [toast.id, toast.kind, onDismiss]);
  return (
    <li className={`toast ${toast.kind}`} data-kind={toast.kind} data-task-id={toast.taskId || ''}
      role={toast.kind === 'error' ? 'alert' : 'status'}>
      <span>{toast.text}</span>
      <button type="button" className="link" onClick={() => onDismiss(toast.id)} aria-label="Dismiss notification">×</button>
    </li>
  );
}
