// The notification seam (docs/architecture.md): the record of every notice sent by SMS, voice
// call or webhook, with each delivery try and the providers' receipts.
import { request } from './http'
import type { Page } from './types'

export type Channel = 'sms' | 'voice' | 'webhook'
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'failed'

export interface DeliveryTry {
  attempt: number
  provider: string
  outcome: 'sent' | 'failed' | 'gave_up'
  http_status: number | null
  error: string
  elapsed_ms: number
  next_try_at: string | null
  at: string
}

export interface Receipt {
  id: number
  status: string
  detail: string
  provider_ref: string
  reported_at: string | null
  received_at: string
}

export interface NotifyMessage {
  id: number
  channel: Channel
  recipient: string
  recipient_name: string
  subject: string
  text: string
  source_type: string
  source_id: string
  source_kind: string
  status: MessageStatus
  provider: string
  provider_ref: string
  attempts: number
  last_error: string
  created_at: string
  sent_at: string | null
  delivered_at: string | null
  tries: DeliveryTry[]
  receipts: Receipt[]
}

export const notifyApi = {
  messages: (query: { channel?: Channel; status?: MessageStatus; limit?: number; offset?: number }) =>
    request<Page<NotifyMessage>>('/api/v1/notify/messages', { query }),
  message: (id: number) => request<NotifyMessage>(`/api/v1/notify/messages/${id}`),
  send: (body: { channel: Channel; to: string; to_name?: string; text: string }) =>
    request<NotifyMessage>('/api/v1/notify/messages', { json: body }),
}
