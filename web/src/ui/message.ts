// Element Plus's message box, imported from its own module: importing it from the package's
// main entry drags the whole component library into the bundle.
export { ElMessage } from 'element-plus/es/components/message/index.mjs'
