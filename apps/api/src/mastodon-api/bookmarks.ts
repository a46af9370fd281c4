import { Injectable } from '@nestjs/common';
import { AppErrorCode, AppException } from '../common/app.exception.js';

/**
 * Bookmarks, by Post id. A port: the client surface (issue 19) keeps bookmarks across both networks
 * and provides them; until it does, bookmarking says so instead of pretending.
 */
export abstract class Bookmarks {
  abstract set(userId: string, postId: string, bookmarked: boolean): Promise<void>;
  /** The member's bookmarked Post ids, newest first. */
  abstract list(userId: string, limit: number): Promise<string[]>;
}

@Injectable()
export class NoBookmarks extends Bookmarks {
  set(): Promise<void> {
    return Promise.reject(
      new AppException(AppErrorCode.BadUserInput, 'Bookmarks are not kept by this Tributary yet'),
    );
  }

  list(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
