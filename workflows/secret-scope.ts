/**
 * A run's secret scope (src/graph/secrets.ts): the nonce its placeholders
 * carry, drawn once, the first time the run needs it, by a local activity,
 * so it is in the run's history and nowhere data can read it. A child run
 * (subworkflow, forEach item) gets its parent's nonce with its input, so
 * placeholders the parent built resolve there too.
 *
 * Runs recorded before nonces keep the old placeholders (`legacySecrets`).
 */
import { patched, proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SecretScope } from '../src/graph/secrets';
import { secretNames, secretsBinding } from '../src/graph/secrets';
import { PATCHES } from './patches';

/** The patch behind which a run draws a nonce for its secret placeholders. Asked only by a run that names a secret. */
export const SECRET_NONCE_PATCH = PATCHES.secretNonce.id;

const { secretNonce } = proxyLocalActivities<Pick<Activities, 'secretNonce'>>({ startToCloseTimeout: '10 seconds' });

export class SecretScopes {
  private scope: SecretScope | undefined;
  private drawing: Promise<void> | undefined;
  /** `$secrets` as expressions see it. */
  binding: Record<string, string>;
  private readonly named: boolean;

  constructor(
    private readonly definition: unknown,
    inherited: string | undefined,
  ) {
    this.named = secretNames(definition).length > 0;
    if (inherited !== undefined) this.scope = { secretNonce: inherited };
    this.binding = secretsBinding(definition, inherited);
  }

  /** The scope to send beside a request (spread into it); empty when the run has none. */
  get current(): SecretScope | Record<string, never> {
    return this.scope ?? {};
  }

  /** The nonce to hand a child run, if the run has one. */
  get nonce(): string | undefined {
    return this.scope && 'secretNonce' in this.scope ? this.scope.secretNonce : undefined;
  }

  /**
   * Makes sure the run has a scope when it (or `also`, a child's definition)
   * names a secret. Returns a promise only while the nonce is being drawn.
   */
  prepare(also?: unknown): Promise<void> | undefined {
    if (this.scope) return undefined;
    if (!this.named && (also === undefined || secretNames(also).length === 0)) return undefined;
    if (this.drawing) return this.drawing;
    if (!patched(SECRET_NONCE_PATCH)) {
      this.scope = { legacySecrets: true };
      this.binding = secretsBinding(this.definition);
      return undefined;
    }
    this.drawing = secretNonce().then((nonce) => {
      this.scope = { secretNonce: nonce };
      this.binding = secretsBinding(this.definition, nonce);
    });
    return this.drawing;
  }
}
