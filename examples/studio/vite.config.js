import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// @conveyor/client and @conveyor/react are file: links to clients/js and clients/react: Vite must serve files from
// there, and use the studio's single copy of React and TanStack Query for them too (clients/react has its own, for its
// tests), or hooks would see two Reacts.
export default defineConfig({
  plugins: [react()],
  base: './',
  resolve: { dedupe: ['react', 'react-dom', '@tanstack/react-query'] },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, fs: { allow: ['../..'] } },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
