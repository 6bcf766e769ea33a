// Reference for the gateway benchmark: a minimal `ws` broadcast server. Clients connect to /; a publisher connects to
// /publish and every text message it sends is broadcast, unchanged, to every other open client.
'use strict';
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9300);
const wss = new WebSocketServer({ port, host: '127.0.0.1' });
wss.on('connection', (ws, req) => {
  if (req.url.startsWith('/publish')) {
    ws.on('message', (data) => {
      const text = data.toString();
      for (const client of wss.clients) {
        if (client !== ws && client.readyState === 1) client.send(text);
      }
    });
  }
});
wss.on('listening', () => console.log(`node ws broadcast server on ${port}`));
