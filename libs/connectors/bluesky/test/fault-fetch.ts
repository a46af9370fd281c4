// A fetch that answers chosen requests itself (a 429 with rate-limit headers, a 503) and passes the
// rest to the real network unchanged. It sits where the session's HTTP goes out, so it sees every
// request even after the session switches to the PDS named in the DID document. Only the fault is fake.

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface SeenRequest {
  method: string;
  path: string;
  at: number;
  faulted: boolean;
}

export interface FaultyFetch {
  fetch: typeof globalThis.fetch;
  seen: SeenRequest[];
  /** The next `times` requests whose path contains `pathPart` get `fault` instead of the server's answer. */
  inject(pathPart: string, fault: Fault | (() => Fault), times?: number): void;
}

export function faultyFetch(): FaultyFetch {
  const faults: Array<{ pathPart: string; fault: Fault | (() => Fault); left: number }> = [];
  const seen: SeenRequest[] = [];
  return {
    seen,
    inject: (pathPart, fault, times = 1) => void faults.push({ pathPart, fault, left: times }),
    fetch: async (input, init) => {
      const request = new Request(input, init);
      const path = new URL(request.url).pathname;
      const rule = faults.find((f) => f.left > 0 && path.includes(f.pathPart));
      seen.push({ method: request.method, path, at: Date.now(), faulted: Boolean(rule) });
      if (!rule) return globalThis.fetch(request);
      rule.left--;
      const fault = typeof rule.fault === 'function' ? rule.fault() : rule.fault;
      return new Response(
        JSON.stringify(fault.body ?? { error: 'Injected', message: `injected ${fault.status}` }),
        {
          status: fault.status,
          headers: { 'content-type': 'application/json', ...fault.headers },
        },
      );
    },
  };
}
