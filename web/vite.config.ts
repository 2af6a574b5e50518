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
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('node_modules/echarts') || id.includes('node_modules/zrender')) return 'echarts'
          if (id.includes('node_modules/leaflet')) return 'leaflet'
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus'))
            return 'element-plus'
          return undefined
        },
      },
    },
  },
  server: {
    proxy: { '/api': process.env.YINGJI_API ?? 'http://127.0.0.1:8000' },
  },
})
