// Builds the care team console (web/) into web/dist, served by the API server at /app (src/console.ts).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: import.meta.dirname,
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    rollupOptions: {
      output: {
        // The charting library is needed by Reports only: its own chunk, loaded with that screen.
        manualChunks: (id) => (id.includes('node_modules/react') || id.includes('node_modules/scheduler') ? 'react' : /node_modules\/@mantine\/(core|hooks)\//.test(id) ? 'mantine' : undefined),
      },
    },
  },
  server: { proxy: { '/v1': 'http://localhost:3000' } },
});
