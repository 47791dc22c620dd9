/**
 * A local OCSP responder for the revocation tests: `openssl ocsp` answers each request, behind
 * an HTTP listener bound to 127.0.0.1 only, on a port the kernel chooses (no race for a free port).
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface Responder {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** PEM of DER bytes. */
export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${b64}${b64.endsWith('\n') ? '' : '\n'}-----END ${label}-----\n`;
}

/** Write a PKCS #8 PEM of an extractable private key. */
export async function writeKey(path: string, key: CryptoKey): Promise<void> {
  writeFileSync(path, pem('PRIVATE KEY', new Uint8Array(await crypto.subtle.exportKey('pkcs8', key))));
}

/** `YYMMDDHHMMSSZ` as the openssl index wants. */
export function indexTime(date: Date): string {
  return date.toISOString().slice(2, 19).replace(/[-:T]/g, '') + 'Z';
}

/** One line of an `openssl ca` index: valid, or revoked with time and reason. */
export function indexLine(serial: string, revoked?: { at: Date; reason: string }): string {
  const status = revoked === undefined ? 'V' : 'R';
  const revocation = revoked === undefined ? '' : `${indexTime(revoked.at)},${revoked.reason}`;
  return [status, '301231235959Z', revocation, serial, 'unknown', `/CN=${serial}`].join('\t') + '\n';
}

/**
 * Start a responder built on `openssl ocsp` in `dir` with the given files: an HTTP server bound
 * to 127.0.0.1 only (an ephemeral port chosen by the kernel) that answers each POSTed request
 * with `openssl ocsp … -reqin <request> -respout <response>`, one openssl run per request.
 * (`openssl ocsp -port` itself binds every interface and cannot be told otherwise in OpenSSL
 * 3.0, so its own listener is not used.) Resolves once it listens; `stop()` closes it.
 */
export function startResponder(
  dir: string,
  files: { index: string; ca: string; signer: string; key: string; extra?: readonly string[] },
  timeoutMs = 10_000,
): Promise<Responder> {
  const args = ['ocsp', '-index', join(dir, files.index), '-CA', join(dir, files.ca), '-rsigner', join(dir, files.signer), '-rkey', join(dir, files.key), ...(files.extra ?? [])];
  let sequence = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > 64 * 1024) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      const n = ++sequence;
      const reqPath = join(dir, `request-${n}.der`);
      const respPath = join(dir, `response-${n}.der`);
      writeFileSync(reqPath, Buffer.concat(chunks));
      execFile('openssl', [...args, '-reqin', reqPath, '-respout', respPath], { cwd: dir, timeout: timeoutMs }, (error, _stdout, stderr) => {
        if (error !== null) {
          response.writeHead(500, { 'content-type': 'text/plain' }).end(`openssl ocsp failed: ${stderr}`);
          return;
        }
        const body = readFileSync(respPath);
        rmSync(reqPath, { force: true });
        rmSync(respPath, { force: true });
        response.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': body.length }).end(body);
      });
    });
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (!server.listening) return resolve();
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error('the OCSP responder did not start listening'));
    }, timeoutMs);
    server.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    server.listen(0, '127.0.0.1', () => {
      clearTimeout(timer);
      const port = (server.address() as AddressInfo).port;
      resolve({ url: `http://127.0.0.1:${port}`, port, stop });
    });
  });
}
