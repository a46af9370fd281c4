// A reverse proxy between Mastodon client libraries and Tributary's Mastodon API that holds every
// answer to the contract the fake Mastodon is held to (libs/testing mastodon-contract.json): the
// facade must be as correct a Mastodon server as the fake. The Host header passes through, so the
// URLs Tributary builds (Link headers, instance URLs) lead back through the proxy.
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpenApiValidator } from '@tributary/testing';

export interface ContractProxy {
  url: string;
  /** Every contract violation seen, with the request that drew it. */
  violations: string[];
  /** Operations answered that the contract does not describe (not validated). */
  undescribed: Set<string>;
  /** Operations answered and validated. */
  validated: Set<string>;
  close(): Promise<void>;
}

export async function startContractProxy(target: string): Promise<ContractProxy> {
  const validator = new OpenApiValidator();
  const violations: string[] = [];
  const undescribed = new Set<string>();
  const validated = new Set<string>();
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const forward = request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (c: Buffer) => body.push(c));
          answer.on('end', () => {
            const bytes = Buffer.concat(body);
            const path = (req.url ?? '/').split('?')[0]!;
            const template = validator.matchPath(req.method ?? 'GET', path);
            const type = String(answer.headers['content-type'] ?? '');
            if (!template) {
              undescribed.add(`${req.method} ${path.replace(/\/1\d{18}(?=\/|$)/g, '/{id}')}`);
            } else if (type.includes('application/json')) {
              let json: unknown;
              try {
                json = JSON.parse(bytes.toString('utf8'));
              } catch {
                violations.push(`${req.method} ${req.url}: body is not JSON`);
              }
              const headers = Object.fromEntries(
                Object.entries(answer.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : v]),
              );
              const found = validator.validateResponse({
                method: req.method ?? 'GET',
                template,
                status: answer.statusCode ?? 0,
                headers,
                body: json,
              });
              validated.add(`${req.method} ${template} ${answer.statusCode}`);
              violations.push(...found.map((v) => `${req.method} ${req.url}: ${v}`));
            }
            res.writeHead(answer.statusCode ?? 502, answer.headers);
            res.end(bytes);
          });
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502).end(String(error));
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    violations,
    undescribed,
    validated,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
