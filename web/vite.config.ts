import { defineConfig } from 'vite';
import vue from '@vitejs/plugin-vue';

const api = process.env.API_URL ?? 'http://127.0.0.1:4000';
// ws: true carries graphql-ws upgrades through the same path, so the SPA never needs the API's origin.
// The Host header is kept: the API accepts a browser's Origin when it names the Host it addressed.
const proxy = { '/graphql': { target: api, ws: true, changeOrigin: false } };

export default defineConfig({
  plugins: [vue()],
  server: { proxy },
  preview: { proxy },
});
