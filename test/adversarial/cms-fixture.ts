/** A valid attached and detached CMS made with the virtual card (the seeds of the CMS fuzzer). */
import { MyNumberCard } from '../../src/aps/card.js';
import { signCms } from '../../src/crypto/cms.js';
import { DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../../src/testing/index.js';

export interface CmsFixture {
  readonly attached: Uint8Array;
  readonly detached: Uint8Array;
  readonly content: Uint8Array;
  readonly roots: readonly Uint8Array[];
  readonly at: Date;
}

let cached: Promise<CmsFixture> | undefined;

/** Signed once per process. */
export function cmsFixture(): Promise<CmsFixture> {
  cached ??= (async () => {
    const vc = await VirtualMyNumberCard.create();
    const card = await MyNumberCard.connect(vc);
    const content = new TextEncoder().encode('adversarial CMS seed');
    const signingTime = new Date('2026-05-31T09:30:00Z');
    const attached = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, signingTime });
    const detached = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, signingTime, detached: true });
    await card.close();
    return { attached, detached, content, roots: [vc.roots.sign], at: new Date('2026-06-01T00:00:00Z') };
  })();
  return cached;
}
