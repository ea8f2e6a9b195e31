import { io, type Socket } from 'socket.io-client';
import { ErrorCode, Events, TributaryError, type BrokerAuthenticateResponse, type BrokerChallengeResponse, type ResponseBase } from '@tributary/protocol';
import type { InterBrokerAuth } from '../auth/inter-broker-auth';
import { newNonce } from '../auth/inter-broker-hmac';
import type { PeerTlsOptions } from '../security/peer-tls';

interface Link {
  socket: Socket;
  /** bumped on every (re)connect: the server forgets who we are when the connection drops */
  generation: number;
  /** the handshake of the current connection, started by its first request */
  handshake: { generation: number; done: Promise<void> } | null;
  /**
   * the peer refused this broker's handshake, and none has succeeded since: reported once (not on
   * every retry), and requestIfConnected leaves the link to request() until then
   */
  refused: boolean;
}

/** A request to a peer broker, answered or rejected with a TributaryError; what replicas need of BrokerLinks. */
export interface PeerLinks {
  request<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res>;
}

/**
 * WebSocket connections from this broker to its peers, for what followers must ask leaders
 * directly: catch-up fetches, KIP-101 epoch end offsets, and their log-end reports. One connection per peer URL, each
 * authenticated as this broker (challenge-response over the cluster secret) before its first request.
 */
export class BrokerLinks implements PeerLinks {
  private readonly links = new Map<string, Link>();
  private readonly everConnected = new Set<string>();

  constructor(
    private readonly requestTimeoutMs: number,
    private readonly auth: InterBrokerAuth,
    /** for wss:// peers: the CA to trust and this broker's certificate (read at each new link) */
    private readonly tls: () => PeerTlsOptions | undefined = () => undefined,
  ) {}

  async request<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> {
    const link = this.linkFor(url);
    const socket = link.socket;
    // A request to a peer that is down must fail now, not sit in socket.io's send buffer for
    // the whole timeout: the follower's catch-up, and so its return to the ISR, waits behind it.
    if (!socket.connected) {
      // A peer we were connected to and lost is down now: fail at once. A new connection gets a moment to open.
      if (this.everConnected.has(url)) throw TributaryError.of('NETWORK_EXCEPTION', `lost the connection to broker ${url}`);
      await waitConnected(socket, Math.min(CONNECT_WAIT_MS, this.requestTimeoutMs), url);
    }
    const generation = await this.authenticated(url, link);
    let res = await this.emit<Res>(url, socket, event, payload);
    // The connection dropped and came back between the handshake and this request (socket.io
    // sent it on the new connection, which had not proved itself yet): prove again, ask once more.
    if (res.errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED && link.generation !== generation) {
      await this.authenticated(url, link);
      res = await this.emit<Res>(url, socket, event, payload);
    }
    if (res.errorCode !== 0) throw new TributaryError(res.errorCode, res.errorMessage);
    return res;
  }

  /**
   * A request on the link to `url` only if that link is open now, else null (and the link starts
   * opening, so a later call finds it): for messages that have another way to travel. A peer
   * that refused this broker's handshake is not asked again here until a request() succeeds.
   */
  requestIfConnected<Res extends ResponseBase>(url: string, event: string, payload: unknown): Promise<Res> | null {
    const link = this.linkFor(url);
    if (!link.socket.connected || link.refused) return null;
    return this.request<Res>(url, event, payload);
  }

  close(): void {
    for (const l of this.links.values()) l.socket.close();
    this.links.clear();
  }

  /** Runs (or joins) the current connection's handshake; returns the generation it authenticated. */
  private async authenticated(url: string, link: Link): Promise<number> {
    const generation = link.generation;
    if (!link.handshake || link.handshake.generation !== generation) {
      const done = this.handshake(url, link.socket);
      link.handshake = { generation, done };
      done.then(
        () => {
          link.refused = false;
        },
        (err: unknown) => {
          // A failed handshake is retried by the next request, not cached.
          if (link.handshake?.done === done) link.handshake = null;
          if (err instanceof TributaryError && err.code === ErrorCode.CLUSTER_AUTHORIZATION_FAILED && !link.refused) {
            link.refused = true;
            this.auth.onWarning(`inter-broker handshake with ${url} refused: ${err.message}`);
          }
        },
      );
    }
    await link.handshake.done;
    return generation;
  }

  private async handshake(url: string, socket: Socket): Promise<void> {
    const peerNonce = newNonce();
    const challenge = await this.emit<BrokerChallengeResponse>(url, socket, Events.brokerChallenge, { peerNonce });
    if (challenge.errorCode !== 0) throw new TributaryError(challenge.errorCode, `${url} refused the inter-broker challenge: ${challenge.errorMessage ?? ''}`);
    const answer = this.auth.answer(peerNonce, challenge); // throws unless the server proved it holds our secret
    const res = await this.emit<BrokerAuthenticateResponse>(url, socket, Events.brokerAuthenticate, answer);
    if (res.errorCode !== 0) {
      throw new TributaryError(
        res.errorCode,
        `${url} did not accept this broker's inter-broker proof (is INTER_BROKER_SECRET the same on every broker?): ${res.errorMessage ?? ''}`,
      );
    }
  }

  private emit<Res extends ResponseBase>(url: string, socket: Socket, event: string, payload: unknown): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      socket.timeout(this.requestTimeoutMs).emit(event, payload, (err: Error | null, r: Res) => {
        if (err) reject(TributaryError.of('NETWORK_EXCEPTION', `${event} to ${url} failed: ${err.message}`));
        else resolve(r);
      });
    });
  }

  private linkFor(url: string): Link {
    let l = this.links.get(url);
    if (!l) {
      // Requests made while disconnected are buffered by socket.io and sent on reconnect;
      // the timeout above bounds how long any of them waits.
      const tls = url.startsWith('wss://') ? this.tls() : undefined;
      const socket = io(url, { transports: ['websocket'], reconnectionDelay: 100, reconnectionDelayMax: 1000, ...tls });
      const link: Link = { socket, generation: 0, handshake: null, refused: false };
      socket.on('connect', () => {
        link.generation++;
        this.everConnected.add(url);
      });
      l = link;
      this.links.set(url, l);
    }
    return l;
  }
}

const CONNECT_WAIT_MS = 1000;

function waitConnected(socket: Socket, timeoutMs: number, url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err: TributaryError | null) => {
      clearTimeout(timer);
      socket.off('connect', onConnect);
      if (err) reject(err);
      else resolve();
    };
    const onConnect = () => done(null);
    const timer = setTimeout(() => done(TributaryError.of('NETWORK_EXCEPTION', `broker ${url} is not reachable`)), timeoutMs);
    socket.on('connect', onConnect);
    if (socket.connected) done(null);
  });
}
