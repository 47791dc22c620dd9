/**
 * A local `openssl ocsp` responder for the revocation tests: started on an ephemeral port
 * (`-port 0`; the port is read from its `ACCEPT` line, so there is no race for a free port),
 * reached only through 127.0.0.1, and stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Responder {
  readonly url: string;
  readonly port: number;
  readonly process: ChildProcess;
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
 * Start `openssl ocsp` in `dir` with the given files; resolves once it listens (or rejects
 * within `timeoutMs` with its stderr).
 */
export function startResponder(
  dir: string,
  files: { index: string; ca: string; signer: string; key: string; extra?: readonly string[] },
  timeoutMs = 10_000,
): Promise<Responder> {
  const args = ['ocsp', '-index', join(dir, files.index), '-port', '0', '-CA', join(dir, files.ca), '-rsigner', join(dir, files.signer), '-rkey', join(dir, files.key), ...(files.extra ?? [])];
  const child = spawn('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
    });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`openssl ocsp did not start: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /ACCEPT \S*:(\d+)/.exec(stdout);
      if (match !== null) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({ url: `http://127.0.0.1:${port}`, port, process: child, stop });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`openssl ocsp exited (${code}): ${stderr}`));
    });
  });
}
