/**
 * カード検証可能証明書 (card-verifiable certificate, EF 0004) of the text and face APs: free to
 * read, immutable, so read once per session and cached.
 * @packageDocumentation
 */
import type { ApduPort } from '../apdu/channel.js';
import { FACE_EF, TEXT_EF } from './constants.js';
import { readTlvObject } from './read-file.js';
import type { CardSession } from './session.js';

/** The APs that hold a CV certificate in EF 0004. card-facts §3.2, §3.3 */
export type CvCertificateAp = 'text' | 'face';

/** EF 0004 of each AP. card-facts §3.2, §3.3 */
const CV_CERTIFICATE_EF: Readonly<Record<CvCertificateAp, number>> = {
  text: TEXT_EF.cvCertificate,
  face: FACE_EF.cvCertificate,
};

/** Session cache key of the CV certificate of `ap`. */
const cacheKey = (ap: CvCertificateAp): string => `${ap}:cv-certificate`;

/**
 * The `7F21` object of EF 0004 of `ap` (SELECT AP if needed → `00 B0 84 …`), from the session
 * cache when already read. No secret is involved. Runs inside an operation (`session.run`).
 *
 * @throws CardDataError, StatusWordError (`6A82` when the AP is absent), the transport's errors
 */
export async function readCvCertificateIn(session: CardSession, port: ApduPort, ap: CvCertificateAp): Promise<Uint8Array> {
  const hit = session.cached(cacheKey(ap));
  if (hit !== undefined) return hit;
  await session.select(port, ap);
  const der = await readTlvObject(port, CV_CERTIFICATE_EF[ap], { context: `READ カード検証可能証明書 (${ap} AP EF 0004)` });
  session.remember(cacheKey(ap), der);
  return der;
}

/** {@link readCvCertificateIn} as one public operation; a cache hit sends nothing. */
export async function readCvCertificate(session: CardSession, ap: CvCertificateAp): Promise<Uint8Array> {
  const hit = session.cached(cacheKey(ap));
  if (hit !== undefined) return hit;
  return session.run((port) => readCvCertificateIn(session, port, ap));
}
