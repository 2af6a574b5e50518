// Enterprises and their risk points (issue 15 parts 1–2: dual prevention, 双重预防), as
// src/yingji/enterprise/views.py and src/yingji/prevention/risk/views.py name them.
import type { FeatureCollection, Point } from 'geojson'
import { request } from './http'
import type { components } from './schema'
import type { Page } from './types'

type S = components['schemas']

export type Enterprise = S['EnterpriseRead']
export type EnterpriseDetail = S['EnterpriseDetail']
export type Licence = S['LicenceRead']
export type Unit = S['UnitRead']
export type RiskPoint = S['RiskPointRead']
export type RiskPointDetail = S['RiskPointDetail']
export type Assessment = S['AssessmentRead']
export type HazardSource = S['HazardSourceRead']
export type Control = S['ControlRead']

/** The four colours of GB/T 33000 / the 导则's risk grading, red the highest. */
export const COLOURS = ['red', 'orange', 'yellow', 'blue'] as const
export type Colour = (typeof COLOURS)[number]
export const COLOUR_HEX: Record<string, string> = {
  red: '#e53935',
  orange: '#fb8c00',
  yellow: '#fdd835',
  blue: '#1e88e5',
}
/** An enterprise or point not yet assessed (未评估). */
export const NO_COLOUR_HEX = '#9e9e9e'
export const ENTERPRISE_KINDS = ['hazchem_storage', 'hazchem_trade', 'hazchem_use', 'industrial', 'trade'] as const

/** LEC factor sets (作业条件危险性分析法): likelihood, exposure, consequence. */
export const LEC_L = [0.1, 0.2, 0.5, 1, 3, 6, 10] as const
export const LEC_E = [0.5, 1, 2, 3, 6, 10] as const
export const LEC_C = [1, 3, 7, 15, 40, 100] as const
/** LS (风险矩阵): likelihood and severity 1–5. */
export const LS_SCALE = [1, 2, 3, 4, 5] as const

export type AssessmentInput =
  | { method: 'LEC'; l: number; e: number; c: number; note?: string }
  | { method: 'LS'; l: number; s: number; note?: string }

/** The properties of a risk-map feature (service.py: id, code, name, colour, level, control level). */
export interface RiskMapProps {
  id: number
  code: string
  name: string
  enterprise_code: string
  colour: string | null
  level: string
  control_level: string | null
}
export type RiskMapAnswer = FeatureCollection<Point, RiskMapProps> & { counts: Record<string, number> }

type Filters = Record<string, string | number | boolean | null | undefined>

const ENT = '/api/v1/enterprises'
const PREV = '/api/v1/prevention'

export const enterpriseApi = {
  list: (filters: Filters) => request<Page<Enterprise>>(ENT, { query: filters }),
  get: (code: string) => request<EnterpriseDetail>(`${ENT}/${encodeURIComponent(code)}`),
  riskPoints: (code: string) =>
    request<Page<RiskPoint>>(`${PREV}/risk-points`, { query: { enterprise_code: code, limit: 5000 } }),
  riskPoint: (id: number) => request<RiskPointDetail>(`${PREV}/risk-points/${id}`),
  assess: (id: number, body: AssessmentInput) =>
    request<Assessment>(`${PREV}/risk-points/${id}/assessments`, { json: body }),
  // The spec types the map loosely (GeoJSON dict); the shape is service.py's risk_map.
  riskMap: (code?: string) =>
    request<S['RiskMap']>(`${PREV}/risk-map`, { query: { enterprise_code: code } }) as unknown as Promise<RiskMapAnswer>,
}

export function colourHex(colour: string | null | undefined): string {
  return (colour && COLOUR_HEX[colour]) || NO_COLOUR_HEX
}
