// Every feature's isolation cases. A new root field needs a case in one of these groups.
import { accountCases } from './accounts.cases.js';
import { actionCases } from './actions.cases.js';
import { authCases } from './auth.cases.js';
import { bookmarkCases } from './bookmarks.cases.js';
import { feedCases } from './feeds.cases.js';
import { filterListCases } from './filter-lists.cases.js';
import { liveCases } from './live.cases.js';
import { memberCases } from './members.cases.js';
import { notificationCases } from './notifications.cases.js';
import { postCases } from './posts.cases.js';
import { profileCases } from './profiles.cases.js';
import { timelineCases } from './timeline.cases.js';
import { pipelineCases } from './pipelines.cases.js';
import type { CaseGroup } from './world.js';

export const caseGroups: CaseGroup[] = [
  authCases,
  accountCases,
  postCases,
  actionCases,
  pipelineCases,
  timelineCases,
  liveCases,
  feedCases,
  filterListCases,
  memberCases,
  notificationCases,
  profileCases,
  bookmarkCases,
];
