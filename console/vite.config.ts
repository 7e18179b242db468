import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is a static bundle: the embedded server mounts console/dist at /console/ and the deployed stack
// serves it the same way. `base: './'` keeps every asset URL relative, so the bundle works under any prefix
// (/console/, or /<stage>/console/ behind API Gateway). Nothing is fetched from another origin at run time.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Cloudscape and the KMS client make one large bundle; that is fine for a local tool.
    chunkSizeWarningLimit: 5000,
  },
  logLevel: 'warn',
});
