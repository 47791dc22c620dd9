// Minimal types for @lapo/asn1js (the package ships none), enough for the TLV benchmark.
declare module '@lapo/asn1js' {
  export class ASN1Tag {
    tagClass: number;
    tagConstructed: boolean;
    tagNumber: number | bigint;
    isUniversal(): boolean;
  }
  export class ASN1 {
    static decode(stream: ArrayLike<number>, offset?: number): ASN1;
    header: number;
    length: number;
    tag: ASN1Tag;
    sub: ASN1[] | null;
  }
}
