/**
 * The part of a fake `SmartCardContext` its connections need: `[[operationInProgress]]`,
 * `[[activeReaderTransactions]]`, `[[connections]]`, and "clear the operationInProgress",
 * which ends transactions whose callback settled while a call was running.
 * @packageDocumentation
 */
import { domException } from './errors.js';
import type { FakeState } from './state.js';

/** A connection's part in "clear the operationInProgress". @internal */
export interface SettledTransactionOwner {
  /** End a transaction whose callback settled during a call ("end any settled transaction"). */
  endSettledTransaction(): void;
}

/** @internal */
export class ContextCore {
  readonly state: FakeState;
  operationInProgress = false;
  readonly activeReaderTransactions = new Map<string, SettledTransactionOwner>();
  readonly connections = new Set<SettledTransactionOwner>();

  constructor(state: FakeState) {
    this.state = state;
  }

  /** Step "If [[operationInProgress]], reject with InvalidStateError", then set it. */
  begin(): void {
    if (this.operationInProgress) throw domException('InvalidStateError', 'Another operation is in progress on this context');
    this.operationInProgress = true;
  }

  /** Check only. */
  assertIdle(): void {
    if (this.operationInProgress) throw domException('InvalidStateError', 'Another operation is in progress on this context');
  }

  /** "Clear the operationInProgress". */
  clear(): void {
    this.operationInProgress = false;
    for (const connection of this.connections) {
      connection.endSettledTransaction();
      if (this.operationInProgress) return;
    }
  }
}
