// What the Jest parent and the reference-network child process tell each other.

export interface ChildConfig {
  dbPostgresUrl: string;
  /** Suffix of the Postgres schemas (`appview_<schema>`, …): letters and underscores only. */
  schema: string;
  ports: { plc: number; pds: number; appview: number; ozone: number; control: number };
}

export interface NetworkInfo {
  pdsUrl: string;
  appviewUrl: string;
  plcUrl: string;
  controlUrl: string;
  /** A labeler DID whose labels the AppView honours when a viewer subscribes to it. */
  labelerDid: string;
  pid: number;
}

export type ChildMessage = { type: 'ready'; info: NetworkInfo } | { type: 'failed'; message: string };

/** Environment variables through which the network's URLs reach Jest workers. */
export const NETWORK_ENV = 'TRIBUTARY_BSKY_NETWORK';
