/**
 * The set of signature secrets that currently verify, with bounded caching and rotation grace.
 *
 * Rotation: replacing the registration makes the new secret AWSCURRENT and Secrets Manager keeps the old one
 * as AWSPREVIOUS. Deliveries signed with the old secret (retries already queued at lemon.markets) keep
 * verifying for `graceSeconds`, measured from the CURRENT version's CreatedDate. Why that date: it is the
 * moment the old secret was superseded. The previous version's own CreatedDate is when it was first issued,
 * possibly months earlier, so measuring from it would drop the old secret at once after a rotation of a
 * long-lived secret; measuring from "now minus fetch time" would let a container that keeps refetching
 * accept the old secret forever.
 */
import { type Deadline, NO_DEADLINE, withinDeadline } from "../core/deadline";
import type { Clock, SecretSource, SecretVersion } from "../core/ports";

/** A cache younger than this is not refetched after a failed verification (forged requests cannot hammer it). */
export const REFETCH_MIN_AGE_MS = 5_000;

/** Cache and rotation settings. */
export interface KeyringOptions {
  /** How long fetched versions are reused (`LEMON_SECRET_CACHE_SECONDS`). */
  readonly cacheSeconds: number;
  /** How long AWSPREVIOUS keeps verifying after AWSCURRENT was created (`LEMON_ROTATION_GRACE_SECONDS`). */
  readonly graceSeconds: number;
  readonly clock: Clock;
}

interface Snapshot {
  readonly current: SecretVersion;
  readonly previous: SecretVersion | undefined;
  readonly fetchedAtMs: number;
}

/**
 * Caches the secret's versions and answers which secrets verify right now.
 *
 * @example
 * const keyring = new SecretKeyring(source, { cacheSeconds: 300, graceSeconds: 86400, clock });
 * let ok = verify(body, header, await keyring.activeSecrets());
 * if (!ok && (await keyring.refreshAfterFailure())) ok = verify(body, header, await keyring.activeSecrets());
 */
export class SecretKeyring {
  private snapshot: Snapshot | undefined;
  // One fetch at a time: concurrent requests in a cold container share it instead of each calling AWS.
  private pending: Promise<Snapshot> | undefined;
  // When a failure last triggered a refetch, successful or not: bounds Secrets Manager calls under a flood of
  // forged requests even while Secrets Manager is failing.
  private lastRefetchMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: SecretSource,
    private readonly options: KeyringOptions,
  ) {}

  /**
   * The secrets that verify now: AWSCURRENT, plus AWSPREVIOUS while inside the grace period. A fetch is cut
   * off at `deadline` (a `DependencyUnavailableError` with code `deadline`).
   */
  async activeSecrets(deadline: Deadline = NO_DEADLINE): Promise<string[]> {
    const snapshot = await this.load(deadline);
    const secrets = [snapshot.current.value];
    if (snapshot.previous !== undefined && this.withinGrace(snapshot.current)) {
      secrets.push(snapshot.previous.value);
    }
    return secrets;
  }

  /**
   * After a verification failure: refetch once unless the cache, or the last such refetch, is younger than
   * {@link REFETCH_MIN_AGE_MS}. Resolves true when fresh versions were loaded (worth verifying again). The
   * cached versions stay in place while the refetch runs and if it fails: a forged request must not empty the
   * cache and make every valid delivery wait on (or fail with) Secrets Manager.
   */
  async refreshAfterFailure(deadline: Deadline = NO_DEADLINE): Promise<boolean> {
    const now = this.options.clock.now();
    const newest = Math.max(this.snapshot?.fetchedAtMs ?? Number.NEGATIVE_INFINITY, this.lastRefetchMs);
    if (now - newest < REFETCH_MIN_AGE_MS) return false;
    this.lastRefetchMs = now;
    await this.refetch(deadline);
    return true;
  }

  private withinGrace(current: SecretVersion): boolean {
    return this.options.clock.now() - current.createdAt.getTime() < this.options.graceSeconds * 1000;
  }

  private async load(deadline: Deadline): Promise<Snapshot> {
    const snapshot = this.snapshot;
    if (
      snapshot !== undefined &&
      this.options.clock.now() - snapshot.fetchedAtMs < this.options.cacheSeconds * 1000
    ) {
      return snapshot;
    }
    return this.refetch(deadline);
  }

  private refetch(deadline: Deadline): Promise<Snapshot> {
    this.pending ??= this.fetch(deadline).finally(() => {
      this.pending = undefined;
    });
    // A fetch started by a concurrent request runs to that request's deadline; this one waits only to its own.
    return withinDeadline(this.pending, deadline, "secrets-manager");
  }

  private async fetch(deadline: Deadline): Promise<Snapshot> {
    const fetchedAtMs = this.options.clock.now();
    const current = await this.source.current(deadline);
    // AWSPREVIOUS only matters inside the grace period; outside it, skip the second call entirely.
    const previous = this.withinGrace(current) ? await this.source.previous(deadline) : undefined;
    this.snapshot = { current, previous, fetchedAtMs };
    return this.snapshot;
  }
}
