// The notification seam (docs/architecture.md): the record of every notice sent by SMS, voice
// call or webhook, with each delivery try and the providers' receipts. Shapes generated from
// the spec (schema.d.ts).
import { request } from './http'
import type { components } from './schema'
import type { Page } from './types'

type S = components['schemas']

export type NotifyMessage = S['NoticeRead']
export type DeliveryTry = S['DeliveryTryRead']
export type Receipt = S['NoticeReceiptRead']
export type Channel = NotifyMessage['channel']
export type MessageStatus = NotifyMessage['status']

export const notifyApi = {
  messages: (query: { channel?: Channel; status?: MessageStatus; limit?: number; offset?: number }) =>
    request<Page<NotifyMessage>>('/api/v1/notify/messages', { query }),
  message: (id: number) => request<NotifyMessage>(`/api/v1/notify/messages/${id}`),
  send: (body: S['NoticeIn']) => request<NotifyMessage>('/api/v1/notify/messages', { json: body }),
}
