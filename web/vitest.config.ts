// Component and client-logic tests of the dashboard (src/**/*.test.ts), in happy-dom; the browser
// tests against the real server live in test/e2e.
import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

export default defineConfig({
  plugins: [vue()],
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'happy-dom',
  },
});
