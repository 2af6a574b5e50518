import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import { defineConfig } from 'vite'

// The build lands in the Python package, served by `yingji serve` at `/`.
// `npm run dev` proxies the API to a local `yingji serve` (YINGJI_API, default :8000).
export default defineConfig({
  plugins: [
    vue(),
    // Element Plus components imported on use; its stylesheet is imported whole in main.ts.
    Components({ resolvers: [ElementPlusResolver({ importStyle: false })], dts: false }),
  ],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../src/yingji/dashboard/static', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1200,
    // No manual chunks for Element Plus or ECharts: forcing a library into a chunk of its
    // own keeps all of it (977 kB for Element Plus); left to Rollup, only what is used ships.
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          return id.includes('node_modules/leaflet') ? 'leaflet' : undefined
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.YINGJI_API ?? 'http://127.0.0.1:8000' },
  },
})
