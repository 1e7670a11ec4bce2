/** What crosses from the script's thread to the HTTP worker and back (structured-cloneable). */
export interface WireRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs: number;
}

export interface WireResponse {
  /** 0 when no response arrived (k6 too). */
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: [string, string][];
  readonly body: string;
  /** From sending the request until the body was read. */
  readonly durationMs: number;
  readonly error?: string;
  readonly errorCode?: number;
}
