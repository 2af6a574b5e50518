// Element Plus's message and prompt boxes, imported from their own modules: importing them
// from the package's main entry would drag the whole component library into the bundle.
export { ElMessage } from 'element-plus/es/components/message/index.mjs'
export { ElMessageBox } from 'element-plus/es/components/message-box/index.mjs'
