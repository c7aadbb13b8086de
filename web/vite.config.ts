import { defineConfig } from 'vitest/config';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { gzipSync } from 'node:zlib';

// Writes a .gz beside every text asset so the handler can send it compressed
// without compressing per request (no extra dependency: node's zlib).
function precompress(): Plugin {
  return {
    name: 'insite-precompress',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const [name, item] of Object.entries(bundle)) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const source = item.type === 'chunk' ? item.code : item.source;
        this.emitFile({ type: 'asset', fileName: `${name}.gz`, source: gzipSync(source, { level: 9 }) });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    // The handler's CSP forbids inline script: never inline the module preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:7071' },
  },
  test: {
    include: ['src/**/*.test.ts'],
  },
});
