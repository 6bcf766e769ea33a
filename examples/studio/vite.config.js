import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// @conveyor/client and @conveyor/react are file: links to clients/js and clients/react: Vite must serve files from
// there, and resolve their imports of React, TanStack Query and the SDK from the studio's own node_modules (clients/react
// has copies for its tests, or none before its `npm ci`): one React, one QueryClient context, one SDK.
export default defineConfig({
  plugins: [react()],
  base: './',
  resolve: { dedupe: ['react', 'react-dom', '@tanstack/react-query', '@conveyor/client'] },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, fs: { allow: ['../..'] } },
  preview: { host: '127.0.0.1', port: 5173, strictPort: true },
});
