// Owned by the Bluesky connector work: starts @atproto/dev-env in a child process. Placeholder until then.
export async function startBlueskyNetwork(): Promise<void> {}
export async function stopBlueskyNetwork(): Promise<void> {}
