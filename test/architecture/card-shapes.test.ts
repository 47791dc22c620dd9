/**
 * Trust (`crypto`) describes the card it needs structurally instead of importing the card
 * layer; these checks fail to compile (`npm run typecheck`) when `MyNumberCard` stops fitting.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { MyNumberCard } from '../../src/aps/card.js';
import type { JpkiKeyKind } from '../../src/aps/jpki.js';
import type { FaceIntegrityCard, TextIntegrityCard } from '../../src/card-trust/integrity.js';
import type { JpkiCard } from '../../src/crypto/card.js';

describe('structural card types', () => {
  it('MyNumberCard fits JpkiCard, TextIntegrityCard and FaceIntegrityCard', () => {
    expectTypeOf<MyNumberCard>().toExtend<JpkiCard>();
    expectTypeOf<MyNumberCard>().toExtend<TextIntegrityCard>();
    expectTypeOf<MyNumberCard>().toExtend<FaceIntegrityCard>();
  });

  it("JpkiCard's key kinds are the card's", () => {
    expectTypeOf<Parameters<JpkiCard['jpki']['sign']>[0]>().toEqualTypeOf<JpkiKeyKind>();
  });
});
