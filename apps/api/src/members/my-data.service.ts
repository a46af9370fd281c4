import { Injectable } from '@nestjs/common';
import { PrismaService } from '@tributary/db';
import { AuthService } from '../auth/auth.service.js';
import { AppErrorCode, AppException } from '../common/app.exception.js';
import { MemberDeletion } from './member-deletion.service.js';

/** The format of `exportMyData`; bumped when a field changes meaning. */
export const EXPORT_FORMAT = { format: 'tributary-member-export', version: 1 } as const;

/** A member's rights over their data: everything of theirs as JSON, and deleting their account. */
@Injectable()
export class MyDataService {
  constructor(
    private readonly db: PrismaService,
    private readonly auth: AuthService,
    private readonly deletion: MemberDeletion,
  ) {}

  /**
   * Everything the member made or that describes them, as plain JSON: their accounts' links (never
   * credentials), pipelines with every version and read position, uploaded plugins with their code,
   * published feeds, actions, feed feedback, bookmarks and tokens (never the secrets). Not the posts: they are
   * the networks', and the member's timelines are derived from them by the pipelines.
   */
  async export(userId: string): Promise<Record<string, unknown>> {
    const db = this.db.client;
    const user = await db.user.findUniqueOrThrow({ where: { id: userId } });
    const [accounts, pipelines, plugins, feeds, actions, interactions, tokens, bookmarks] = await Promise.all(
      [
        db.linkedAccount.findMany({
          where: { userId },
          orderBy: { createdAt: 'asc' },
          include: { sources: { orderBy: { createdAt: 'asc' } } },
        }),
        db.pipeline.findMany({
          where: { userId },
          orderBy: { createdAt: 'asc' },
          include: { versions: { orderBy: { version: 'asc' } } },
        }),
        db.plugin.findMany({ where: { ownerId: userId }, orderBy: { createdAt: 'asc' } }),
        db.publishedFeed.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
        db.outboundAction.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
        db.feedInteraction.findMany({ where: { userId }, orderBy: { id: 'asc' } }),
        db.apiToken.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
        db.bookmark.findMany({ where: { userId }, orderBy: { createdAt: 'asc' } }),
      ],
    );
    const pipelineName = new Map(pipelines.map((p) => [p.id, p.name]));
    const accountOf = new Map(accounts.map((a) => [a.id, a.networkAccountId]));
    return JSON.parse(
      JSON.stringify({
        ...EXPORT_FORMAT,
        exportedAt: new Date(),
        user: { username: user.username, role: user.role, createdAt: user.createdAt },
        linkedAccounts: accounts.map((a) => ({
          network: a.network,
          networkAccountId: a.networkAccountId,
          handle: a.handle,
          serviceUrl: a.serviceUrl,
          status: a.status,
          createdAt: a.createdAt,
          sources: a.sources.map((s) => ({
            kind: s.kind,
            externalId: s.externalId,
            displayName: s.displayName,
          })),
        })),
        pipelines: pipelines.map((p) => ({
          name: p.name,
          isDefault: p.isDefault,
          version: p.version,
          spec: p.spec,
          readPosition: p.readPosition,
          createdAt: p.createdAt,
          versions: p.versions.map((v) => ({ version: v.version, spec: v.spec, createdAt: v.createdAt })),
        })),
        plugins: plugins.map((p) => ({
          name: p.name,
          version: p.version,
          code: p.code,
          configSchema: p.configSchema,
          createdAt: p.createdAt,
        })),
        publishedFeeds: feeds.map((f) => ({
          uri: f.uri,
          pipeline: pipelineName.get(f.pipelineId),
          account: accountOf.get(f.linkedAccountId),
          displayName: f.displayName,
          description: f.description,
          createdAt: f.createdAt,
        })),
        actions: actions.map((a) => ({
          kind: a.kind,
          account: accountOf.get(a.linkedAccountId),
          payload: a.payload,
          status: a.status,
          error: a.error,
          result: a.result,
          createdAt: a.createdAt,
        })),
        feedInteractions: interactions.map((i) => ({
          pipeline: pipelineName.get(i.pipelineId),
          postUri: i.postUri,
          event: i.event,
          createdAt: i.createdAt,
        })),
        bookmarks: bookmarks.map((b) => ({ network: b.network, uri: b.uri, createdAt: b.createdAt })),
        tokens: tokens.map((t) => ({
          name: t.name,
          createdAt: t.createdAt,
          lastUsedAt: t.lastUsedAt,
          expiresAt: t.expiresAt,
          revokedAt: t.revokedAt,
        })),
      }),
    ) as Record<string, unknown>;
  }

  /** Deletes the caller's account and all their data, after checking their password. */
  async deleteAccount(userId: string, password: string): Promise<boolean> {
    if (!(await this.auth.isPasswordOf(userId, password)))
      throw new AppException(AppErrorCode.BadUserInput, 'password: wrong password', { field: 'password' });
    return this.deletion.delete(userId);
  }
}
