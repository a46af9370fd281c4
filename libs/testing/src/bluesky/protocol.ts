// What the Jest parent and the reference-network child process tell each other.

export interface ChildConfig {
  dbPostgresUrl: string;
  ports: { plc: number; pds: number; appview: number; ozone: number; control: number };
  /** The child writes a `ReadyState` here once the network answers (or failed to start). */
  readyFile: string;
}

export type ReadyState = { ok: true; pid: number } | { ok: false; message: string };

export interface NetworkInfo {
  pdsUrl: string;
  appviewUrl: string;
  plcUrl: string;
  controlUrl: string;
  /** A labeler DID whose labels the AppView honours when a viewer subscribes to it. */
  labelerDid: string;
  readyFile: string;
}

/** The labeler DID the reference AppView accepts labels from (dev-env's EXAMPLE_LABELER). */
export const EXAMPLE_LABELER = 'did:example:labeler';

/** Environment variables through which the network's URLs reach Jest workers. */
export const NETWORK_ENV = 'TRIBUTARY_BSKY_NETWORK';
