// The parts of Express's request and response this feature uses (the project has no @types/express;
// Nest runs on Express 5, whose objects extend Node's).
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface Request extends IncomingMessage {
  method: string;
  path: string;
  originalUrl: string;
  /** `http` or `https` (X-Forwarded-Proto only behind TRUST_PROXY). */
  protocol: string;
  ip?: string;
  query: Record<string, unknown>;
  get(name: string): string | undefined;
}

export interface Response extends ServerResponse {
  status(code: number): this;
  json(body: unknown): this;
  send(body: unknown): this;
  set(headers: Record<string, string>): this;
  type(type: string): this;
  redirect(status: number, url: string): void;
}

export type NextFunction = (error?: unknown) => void;
