// Calls of the public API, each tagged with its route (`name`, so URLs with ids aggregate) and its
// endpoint group (`endpoint`), which the thresholds and the report are keyed by.
import http, { type RefinedResponse } from 'k6/http';
import { config } from './config.ts';

/** Every endpoint group; a value, so that the Endpoint type is made from it. @public */
export const ENDPOINTS = [
  // setup()'s check that the gateway accepts the tokens, kept apart from the journeys' numbers
  'probe',
  'browse',
  'search',
  'product',
  'place_order',
  'order_status',
  'order_details',
  'order_history',
  'restock',
] as const;
export type Endpoint = (typeof ENDPOINTS)[number];

export type Response = RefinedResponse<'text'>;

interface Call {
  readonly endpoint: Endpoint;
  /** The route template, e.g. `GET /api/orders/{id}`. */
  readonly name: string;
  readonly token?: string;
  readonly headers?: Record<string, string>;
  /** Statuses that count as success in http_req_failed (default 200-399). */
  readonly expect?: number[];
}

function params(call: Call) {
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  return {
    headers,
    tags: { name: call.name, endpoint: call.endpoint },
    timeout: '30s',
    responseType: 'text' as const,
    ...(call.expect ? { responseCallback: http.expectedStatuses(...call.expect) } : {}),
  };
}

export function get(path: string, call: Call): Response {
  return http.get(`${config.baseUrl}${path}`, params(call));
}

export function post(path: string, body: unknown, call: Call): Response {
  const withJson = { ...call, headers: { 'content-type': 'application/json', ...call.headers } };
  return http.post(`${config.baseUrl}${path}`, JSON.stringify(body), params(withJson));
}

/** The body as JSON, or null when it is not JSON (a check then reports the failure). */
export function json<T>(response: Response): T | null {
  try {
    return JSON.parse(response.body) as T;
  } catch {
    return null;
  }
}

/** The problem+json `code` of an error answer, for messages. */
export function problemCode(response: Response): string {
  const problem = json<{ code?: string }>(response);
  return problem?.code ?? `HTTP ${response.status}${response.error ? ` ${response.error}` : ''}`;
}

// The parts of the public contract (libs/contracts/src/http) the journeys read.
interface Money {
  amountMinor: number;
  currency: string;
}

export interface Product {
  id: string;
  sku: string;
  name: string;
  price: Money;
  category: { slug: string };
  availability: { status: 'in_stock' | 'low' | 'out_of_stock' | 'unknown'; available: number | null };
}

export interface ProductPage {
  items: Product[];
  nextCursor: string | null;
}

export type OrderStatus = 'placed' | 'stock_reserved' | 'payment_authorized' | 'confirmed' | 'cancelled' | 'rejected';
export const FINAL_STATUSES: readonly OrderStatus[] = ['confirmed', 'cancelled', 'rejected'];

export interface Order {
  id: string;
  customerId: string;
  status: OrderStatus;
  statusReason: string | null;
  lines: { productId: string; quantity: number }[];
  total: Money;
}

export interface StockLevel {
  sku: string;
  available: number;
  reserved: number;
  sold: number;
}
