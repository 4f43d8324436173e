import { Injectable, Logger } from '@nestjs/common';
import type { SecurityEventReceipt } from '../../core/revocation/security-event-receiver.js';
import {
  STREAM_UPDATED_EVENT,
  statusOf,
  type StreamStatus,
  VERIFICATION_EVENT,
} from '../../protocol/ssf/stream-configuration.js';
import { loggable } from '../transports/transport.js';

/** A stream the module manages at one transmitter, as far as it knows. */
export interface ManagedStream {
  streamId: string;
  /** `undefined` until the transmitter said. */
  status: StreamStatus | undefined;
  /** The `state` of the verification asked for and not yet seen. */
  verifying: string | undefined;
  verified: boolean;
}

/**
 * The streams the module manages, as far as it knows, and the SSF stream's own events, from push
 * or poll: a verification event matched to the verification asked for (SSF 1.0 §8.1.4), a
 * `stream-updated` event's status recorded and logged (§8.1.5). The revocation events are
 * `SecurityEventReports`' to log and count.
 */
@Injectable()
export class SecurityEventStreamState {
  private readonly logger = new Logger('OidcAuthRevocation');
  private readonly streams = new Map<string, ManagedStream>();

  /** The transmitter's stream, once the module has found or created it. */
  stream(issuer: string): Readonly<ManagedStream> | undefined {
    return this.streams.get(issuer);
  }

  track(issuer: string, streamId: string): ManagedStream {
    const stream: ManagedStream = {
      streamId,
      status: undefined,
      verifying: undefined,
      verified: false,
    };
    this.streams.set(issuer, stream);
    return stream;
  }

  /** The verification event of `state` is awaited from the transmitter. */
  expectVerification(issuer: string, state: string): void {
    const stream = this.streams.get(issuer);
    if (stream) stream.verifying = state;
  }

  /** The transmitter's stream status changed (read from its status endpoint, or an event). */
  statusChanged(issuer: string, status: StreamStatus, reason: unknown): void {
    const stream = this.streams.get(issuer);
    if (stream) stream.status = status;
    const why = typeof reason === 'string' ? ` (${loggable(reason)})` : '';
    const from = loggable(issuer);
    if (status === 'enabled') {
      this.logger.log(`The SSF stream of ${from} is enabled${why}`);
    } else if (status === 'paused') {
      this.logger.warn(
        `The SSF stream of ${from} is paused${why}: the transmitter holds its events until it is enabled, revocations arrive late`,
      );
    } else {
      this.logger.error(
        `The SSF stream of ${from} is disabled${why}: the transmitter drops its events, revocations from it are lost until it is enabled`,
      );
    }
  }

  /** A SET accepted: a verification or stream-updated event is answered, any other left alone. */
  received(receipt: SecurityEventReceipt): void {
    if (receipt.outcome === 'duplicate') return;
    if (receipt.type === VERIFICATION_EVENT) this.verification(receipt);
    else if (receipt.type === STREAM_UPDATED_EVENT) this.streamUpdated(receipt);
  }

  private verification(receipt: SecurityEventReceipt): void {
    const stream = this.streams.get(receipt.issuer);
    const state = receipt.payload.state;
    // A verification this module did not ask for (another replica's, or the transmitter's own
    // periodic one) is acknowledged all the same.
    if (!stream || stream.verifying === undefined || state !== stream.verifying) return;
    stream.verifying = undefined;
    stream.verified = true;
    this.logger.log(`The SSF stream of ${loggable(receipt.issuer)} is verified: its events arrive`);
  }

  private streamUpdated(receipt: SecurityEventReceipt): void {
    let status: StreamStatus;
    try {
      status = statusOf(receipt.payload.status);
    } catch {
      this.logger.warn(
        `A stream-updated event from ${loggable(receipt.issuer)} has no valid status; ignored`,
      );
      return;
    }
    this.statusChanged(receipt.issuer, status, receipt.payload.reason);
  }
}
