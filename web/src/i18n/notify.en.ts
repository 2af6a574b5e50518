// The notification record page in English; the same keys as notify.zh-CN.ts.
import type zh from './notify.zh-CN'

const en: typeof zh = {
  nav: 'Notifications',
  title: 'Notifications',
  hint: 'Every notice the platform sent outside (tasks assigned, overdue tasks escalated, warnings to the surroundings), with each delivery try and receipt.',
  channel: { sms: 'SMS', voice: 'Voice call', webhook: 'Webhook' },
  status: { pending: 'Pending', sent: 'Sent', delivered: 'Delivered', failed: 'Failed' },
  outcome: { sent: 'Sent', failed: 'Failed, will retry', gave_up: 'Failed, given up' },
  allChannels: 'All channels',
  allStatuses: 'All statuses',
  statusCol: 'Status',
  created: 'Time',
  recipient: 'Recipient',
  source: 'About',
  text: 'Text',
  provider: 'Provider',
  attempts: 'Tries',
  tries: 'Delivery tries',
  receipts: 'Receipts',
  nextTry: 'Next try',
  noTries: 'Not tried yet',
  noReceipts: 'No receipts',
  empty: 'No notifications',
  refresh: 'Refresh',
  sendTitle: 'Send by hand (check a provider)',
  to: 'Address',
  send: 'Send',
  sent: 'Queued for sending',
  devNote: 'The development provider (dev) records and sends nothing: what is listed here is what would be sent.',
  kind: {
    task_assigned: 'Task assigned',
    task_escalated: 'Task overdue',
    warning_issued: 'Warning issued',
    warning_updated: 'Warning updated',
    warning_lifted: 'Warning lifted',
    manual: 'By hand',
  },
}

export default en
