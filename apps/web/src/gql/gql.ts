/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment AuthorFields on Author {\n    handle\n    displayName\n    avatarUrl\n    network\n    networkId\n    bot\n  }\n": typeof types.AuthorFieldsFragmentDoc,
    "\n  fragment MediaFields on Media {\n    type\n    url\n    previewUrl\n    altText\n    width\n    height\n  }\n": typeof types.MediaFieldsFragmentDoc,
    "\n  fragment PostFields on Post {\n    id\n    uri\n    network\n    text\n    webUrl\n    createdAt\n    contentWarning\n    sensitive\n    languages\n    author {\n      ...AuthorFields\n    }\n    counts {\n      replies\n      reposts\n      likes\n      quotes\n    }\n    richText {\n      type\n      text\n      url\n      tag\n      handle\n      networkId\n    }\n    media {\n      ...MediaFields\n    }\n    linkCard {\n      url\n      title\n      description\n      imageUrl\n    }\n    replyParent {\n      uri\n      authorNetworkId\n      authorHandle\n      text\n    }\n    quote {\n      uri\n      text\n      webUrl\n      createdAt\n      contentWarning\n      author {\n        ...AuthorFields\n      }\n      media {\n        ...MediaFields\n      }\n      linkCard {\n        url\n        title\n        description\n        imageUrl\n      }\n    }\n    quoteUnavailable {\n      reason\n    }\n    poll {\n      options {\n        title\n        votes\n      }\n      votes\n      expired\n    }\n  }\n": typeof types.PostFieldsFragmentDoc,
    "\n  fragment DecisionFields on Decision {\n    stage\n    index\n    verdict\n    reason\n    score\n  }\n": typeof types.DecisionFieldsFragmentDoc,
    "\n  fragment ItemFields on TimelineItem {\n    id\n    pipelineId\n    hidden\n    hiddenReason\n    warnings\n    reason {\n      at\n      by {\n        ...AuthorFields\n      }\n    }\n    seenIn {\n      network\n    }\n    decisions {\n      ...DecisionFields\n    }\n    post {\n      ...PostFields\n    }\n  }\n": typeof types.ItemFieldsFragmentDoc,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation SignUp($invite: String!, $username: String!, $password: String!) {\n    signUp(invite: $invite, username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n": typeof types.SignUpDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment AccountFields on LinkedAccount {\n    id\n    network\n    handle\n    serviceUrl\n    status\n    statusReason\n    statusChangedAt\n    freshness\n    lastSyncedAt\n    stream {\n      live\n      lagSeconds\n      lastError\n    }\n    sources {\n      id\n      kind\n      displayName\n      externalId\n      lastError\n      backfill {\n        state\n        done\n        target\n      }\n    }\n  }\n": typeof types.AccountFieldsFragmentDoc,
    "\n  query LinkedAccounts {\n    linkedAccounts {\n      ...AccountFields\n    }\n  }\n": typeof types.LinkedAccountsDocument,
    "\n  mutation LinkBluesky($identifier: String!, $appPassword: String!, $service: String) {\n    linkBlueskyAccount(identifier: $identifier, appPassword: $appPassword, service: $service) {\n      ...AccountFields\n    }\n  }\n": typeof types.LinkBlueskyDocument,
    "\n  mutation StartBlueskyLink($identifier: String!) {\n    startBlueskyLink(identifier: $identifier) {\n      authorizeUrl\n    }\n  }\n": typeof types.StartBlueskyLinkDocument,
    "\n  mutation CompleteBlueskyLink($callback: String!) {\n    completeBlueskyLink(callback: $callback) {\n      ...AccountFields\n    }\n  }\n": typeof types.CompleteBlueskyLinkDocument,
    "\n  mutation LinkMastodonToken($instance: String!, $accessToken: String!) {\n    linkMastodonAccount(instance: $instance, accessToken: $accessToken) {\n      ...AccountFields\n    }\n  }\n": typeof types.LinkMastodonTokenDocument,
    "\n  mutation StartMastodonLink($instance: String!) {\n    startMastodonLink(instance: $instance) {\n      authorizeUrl\n      state\n    }\n  }\n": typeof types.StartMastodonLinkDocument,
    "\n  mutation CompleteMastodonLink($code: String!, $state: String!) {\n    completeMastodonLink(code: $code, state: $state) {\n      ...AccountFields\n    }\n  }\n": typeof types.CompleteMastodonLinkDocument,
    "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id)\n  }\n": typeof types.UnlinkAccountDocument,
    "\n  subscription AccountStatusChanged {\n    accountStatusChanged {\n      ...AccountFields\n    }\n  }\n": typeof types.AccountStatusChangedDocument,
    "\n  query Timeline($pipeline: ID, $after: String, $includeHidden: Boolean!, $first: Int!) {\n    timeline(pipeline: $pipeline, after: $after, includeHidden: $includeHidden, first: $first) {\n      edges {\n        cursor\n        node {\n          ...ItemFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": typeof types.TimelineDocument,
    "\n  subscription TimelineUpdated($pipeline: ID) {\n    timelineUpdated(pipeline: $pipeline) {\n      pipelineId\n      rebuilt\n      items {\n        ...ItemFields\n      }\n    }\n  }\n": typeof types.TimelineUpdatedDocument,
    "\n  query Thread($id: ID!) {\n    thread(id: $id) {\n      stale\n      staleReason\n      ancestors {\n        ...PostFields\n      }\n      post {\n        ...PostFields\n      }\n      replies {\n        depth\n        parentId\n        post {\n          ...PostFields\n        }\n      }\n    }\n  }\n": typeof types.ThreadDocument,
    "\n  fragment ActionFields on Action {\n    id\n    kind\n    network\n    postId\n    status\n    error\n    resultWebUrl\n    createdAt\n  }\n": typeof types.ActionFieldsFragmentDoc,
    "\n  query RecentActions {\n    actions(first: 100) {\n      ...ActionFields\n    }\n  }\n": typeof types.RecentActionsDocument,
    "\n  subscription ActionUpdated {\n    actionUpdated {\n      ...ActionFields\n    }\n  }\n": typeof types.ActionUpdatedDocument,
    "\n  mutation Like($post: ID!) {\n    like(post: $post) {\n      ...ActionFields\n    }\n  }\n": typeof types.LikeDocument,
    "\n  mutation Unlike($post: ID!) {\n    unlike(post: $post) {\n      ...ActionFields\n    }\n  }\n": typeof types.UnlikeDocument,
    "\n  mutation Repost($post: ID!) {\n    repost(post: $post) {\n      ...ActionFields\n    }\n  }\n": typeof types.RepostDocument,
    "\n  mutation Unrepost($post: ID!) {\n    unrepost(post: $post) {\n      ...ActionFields\n    }\n  }\n": typeof types.UnrepostDocument,
    "\n  mutation Reply($post: ID!, $text: String!, $contentWarning: String) {\n    reply(post: $post, text: $text, contentWarning: $contentWarning) {\n      ...ActionFields\n    }\n  }\n": typeof types.ReplyDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...ActionFields\n    }\n  }\n": typeof types.CreatePostDocument,
    "\n  fragment PipelineFields on Pipeline {\n    id\n    name\n    isDefault\n    version\n    spec\n    updatedAt\n    rebuild {\n      state\n      done\n      total\n      error\n    }\n  }\n": typeof types.PipelineFieldsFragmentDoc,
    "\n  query Pipelines {\n    pipelines {\n      ...PipelineFields\n    }\n  }\n": typeof types.PipelinesDocument,
    "\n  query PipelineWithVersions($id: ID!) {\n    pipeline(id: $id) {\n      ...PipelineFields\n      versions {\n        version\n        createdAt\n        spec\n      }\n    }\n    plugins {\n      id\n      use\n      name\n      version\n      kind\n      configSchema\n    }\n  }\n": typeof types.PipelineWithVersionsDocument,
    "\n  query ValidatePipeline($spec: JSON!) {\n    validatePipeline(spec: $spec) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n": typeof types.ValidatePipelineDocument,
    "\n  query PreviewPipeline($spec: JSON!, $limit: Int!) {\n    previewPipeline(spec: $spec, limit: $limit) {\n      hidden\n      hiddenReason\n      warnings\n      blurs\n      rankKey\n      decisions {\n        ...DecisionFields\n      }\n      post {\n        id\n        text\n        contentWarning\n        createdAt\n        author {\n          handle\n          displayName\n        }\n      }\n    }\n  }\n": typeof types.PreviewPipelineDocument,
    "\n  mutation CreatePipeline($name: String!, $spec: JSON!) {\n    createPipeline(name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n": typeof types.CreatePipelineDocument,
    "\n  mutation UpdatePipeline($id: ID!, $name: String, $spec: JSON) {\n    updatePipeline(id: $id, name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n": typeof types.UpdatePipelineDocument,
    "\n  mutation SetDefaultPipeline($id: ID!) {\n    setDefaultPipeline(id: $id) {\n      id\n    }\n  }\n": typeof types.SetDefaultPipelineDocument,
    "\n  mutation DeletePipeline($id: ID!, $newDefault: ID) {\n    deletePipeline(id: $id, newDefault: $newDefault)\n  }\n": typeof types.DeletePipelineDocument,
    "\n  query Invites {\n    invites {\n      id\n      role\n      createdAt\n      expiresAt\n      usedAt\n    }\n  }\n": typeof types.InvitesDocument,
    "\n  fragment MemberFields on Member {\n    id\n    username\n    role\n    status\n    suspendedAt\n    createdAt\n    lastActiveAt\n    linkedAccounts\n    pipelines\n    syncHealth {\n      sourceId\n      accountId\n      network\n      handle\n      accountStatus\n      kind\n      externalId\n      backfillState\n      lastSyncedAt\n      stale\n      reason\n    }\n  }\n": typeof types.MemberFieldsFragmentDoc,
    "\n  query Members {\n    members {\n      ...MemberFields\n    }\n  }\n": typeof types.MembersDocument,
    "\n  mutation SuspendMember($member: ID!, $suspended: Boolean!) {\n    suspendMember(member: $member, suspended: $suspended) {\n      ...MemberFields\n    }\n  }\n": typeof types.SuspendMemberDocument,
    "\n  mutation DeleteMember($member: ID!) {\n    deleteMember(member: $member)\n  }\n": typeof types.DeleteMemberDocument,
    "\n  mutation CreateInvite($role: UserRole!) {\n    createInvite(role: $role) {\n      code\n      invite {\n        id\n      }\n    }\n  }\n": typeof types.CreateInviteDocument,
    "\n  fragment PluginFields on Plugin {\n    id\n    use\n    name\n    version\n    kind\n    packageName\n    configSchema\n    createdAt\n  }\n": typeof types.PluginFieldsFragmentDoc,
    "\n  query Plugins {\n    plugins {\n      ...PluginFields\n    }\n  }\n": typeof types.PluginsDocument,
    "\n  mutation UploadPlugin($code: String!) {\n    uploadPlugin(code: $code) {\n      ...PluginFields\n    }\n  }\n": typeof types.UploadPluginDocument,
    "\n  mutation DeletePlugin($id: ID!) {\n    deletePlugin(id: $id)\n  }\n": typeof types.DeletePluginDocument,
    "\n  query NotificationGroups($after: String) {\n    notificationGroups(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          key\n          kind\n          count\n          latestAt\n          latestId\n          read\n          actors {\n            ...AuthorFields\n          }\n          post {\n            id\n            text\n            network\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n": typeof types.NotificationGroupsDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": typeof types.UnreadNotificationCountDocument,
    "\n  mutation MarkNotificationsRead($upTo: ID!) {\n    markNotificationsRead(upTo: $upTo)\n  }\n": typeof types.MarkNotificationsReadDocument,
    "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n    }\n  }\n": typeof types.NotificationReceivedDocument,
    "\n  fragment ProfileFields on Profile {\n    network\n    networkId\n    handle\n    displayName\n    bio\n    avatarUrl\n    bannerUrl\n    bot\n    followersCount\n    followingCount\n    postsCount\n    webUrl\n    linkedAccountId\n    relationship {\n      following\n      followedBy\n      muted\n      blocked\n      blockedBy\n    }\n  }\n": typeof types.ProfileFieldsFragmentDoc,
    "\n  query AuthorProfile($id: String, $handle: String) {\n    author(id: $id, handle: $handle) {\n      ...ProfileFields\n    }\n  }\n": typeof types.AuthorProfileDocument,
    "\n  query AuthorPosts($author: String!, $account: ID, $after: String) {\n    authorPosts(author: $author, account: $account, after: $after, first: 20) {\n      items {\n        repost\n        post {\n          ...PostFields\n        }\n      }\n      nextCursor\n    }\n  }\n": typeof types.AuthorPostsDocument,
    "\n  mutation Follow($author: String!, $account: ID) {\n    follow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": typeof types.FollowDocument,
    "\n  mutation Unfollow($author: String!, $account: ID) {\n    unfollow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": typeof types.UnfollowDocument,
    "\n  mutation Mute($author: String!, $account: ID) {\n    mute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": typeof types.MuteDocument,
    "\n  mutation Unmute($author: String!, $account: ID) {\n    unmute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": typeof types.UnmuteDocument,
    "\n  query ActionById($id: ID!) {\n    action(id: $id) {\n      ...ActionFields\n    }\n  }\n": typeof types.ActionByIdDocument,
};
const documents: Documents = {
    "\n  fragment AuthorFields on Author {\n    handle\n    displayName\n    avatarUrl\n    network\n    networkId\n    bot\n  }\n": types.AuthorFieldsFragmentDoc,
    "\n  fragment MediaFields on Media {\n    type\n    url\n    previewUrl\n    altText\n    width\n    height\n  }\n": types.MediaFieldsFragmentDoc,
    "\n  fragment PostFields on Post {\n    id\n    uri\n    network\n    text\n    webUrl\n    createdAt\n    contentWarning\n    sensitive\n    languages\n    author {\n      ...AuthorFields\n    }\n    counts {\n      replies\n      reposts\n      likes\n      quotes\n    }\n    richText {\n      type\n      text\n      url\n      tag\n      handle\n      networkId\n    }\n    media {\n      ...MediaFields\n    }\n    linkCard {\n      url\n      title\n      description\n      imageUrl\n    }\n    replyParent {\n      uri\n      authorNetworkId\n      authorHandle\n      text\n    }\n    quote {\n      uri\n      text\n      webUrl\n      createdAt\n      contentWarning\n      author {\n        ...AuthorFields\n      }\n      media {\n        ...MediaFields\n      }\n      linkCard {\n        url\n        title\n        description\n        imageUrl\n      }\n    }\n    quoteUnavailable {\n      reason\n    }\n    poll {\n      options {\n        title\n        votes\n      }\n      votes\n      expired\n    }\n  }\n": types.PostFieldsFragmentDoc,
    "\n  fragment DecisionFields on Decision {\n    stage\n    index\n    verdict\n    reason\n    score\n  }\n": types.DecisionFieldsFragmentDoc,
    "\n  fragment ItemFields on TimelineItem {\n    id\n    pipelineId\n    hidden\n    hiddenReason\n    warnings\n    reason {\n      at\n      by {\n        ...AuthorFields\n      }\n    }\n    seenIn {\n      network\n    }\n    decisions {\n      ...DecisionFields\n    }\n    post {\n      ...PostFields\n    }\n  }\n": types.ItemFieldsFragmentDoc,
    "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n": types.LoginDocument,
    "\n  mutation SignUp($invite: String!, $username: String!, $password: String!) {\n    signUp(invite: $invite, username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n": types.SignUpDocument,
    "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n": types.MeDocument,
    "\n  fragment AccountFields on LinkedAccount {\n    id\n    network\n    handle\n    serviceUrl\n    status\n    statusReason\n    statusChangedAt\n    freshness\n    lastSyncedAt\n    stream {\n      live\n      lagSeconds\n      lastError\n    }\n    sources {\n      id\n      kind\n      displayName\n      externalId\n      lastError\n      backfill {\n        state\n        done\n        target\n      }\n    }\n  }\n": types.AccountFieldsFragmentDoc,
    "\n  query LinkedAccounts {\n    linkedAccounts {\n      ...AccountFields\n    }\n  }\n": types.LinkedAccountsDocument,
    "\n  mutation LinkBluesky($identifier: String!, $appPassword: String!, $service: String) {\n    linkBlueskyAccount(identifier: $identifier, appPassword: $appPassword, service: $service) {\n      ...AccountFields\n    }\n  }\n": types.LinkBlueskyDocument,
    "\n  mutation StartBlueskyLink($identifier: String!) {\n    startBlueskyLink(identifier: $identifier) {\n      authorizeUrl\n    }\n  }\n": types.StartBlueskyLinkDocument,
    "\n  mutation CompleteBlueskyLink($callback: String!) {\n    completeBlueskyLink(callback: $callback) {\n      ...AccountFields\n    }\n  }\n": types.CompleteBlueskyLinkDocument,
    "\n  mutation LinkMastodonToken($instance: String!, $accessToken: String!) {\n    linkMastodonAccount(instance: $instance, accessToken: $accessToken) {\n      ...AccountFields\n    }\n  }\n": types.LinkMastodonTokenDocument,
    "\n  mutation StartMastodonLink($instance: String!) {\n    startMastodonLink(instance: $instance) {\n      authorizeUrl\n      state\n    }\n  }\n": types.StartMastodonLinkDocument,
    "\n  mutation CompleteMastodonLink($code: String!, $state: String!) {\n    completeMastodonLink(code: $code, state: $state) {\n      ...AccountFields\n    }\n  }\n": types.CompleteMastodonLinkDocument,
    "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id)\n  }\n": types.UnlinkAccountDocument,
    "\n  subscription AccountStatusChanged {\n    accountStatusChanged {\n      ...AccountFields\n    }\n  }\n": types.AccountStatusChangedDocument,
    "\n  query Timeline($pipeline: ID, $after: String, $includeHidden: Boolean!, $first: Int!) {\n    timeline(pipeline: $pipeline, after: $after, includeHidden: $includeHidden, first: $first) {\n      edges {\n        cursor\n        node {\n          ...ItemFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n": types.TimelineDocument,
    "\n  subscription TimelineUpdated($pipeline: ID) {\n    timelineUpdated(pipeline: $pipeline) {\n      pipelineId\n      rebuilt\n      items {\n        ...ItemFields\n      }\n    }\n  }\n": types.TimelineUpdatedDocument,
    "\n  query Thread($id: ID!) {\n    thread(id: $id) {\n      stale\n      staleReason\n      ancestors {\n        ...PostFields\n      }\n      post {\n        ...PostFields\n      }\n      replies {\n        depth\n        parentId\n        post {\n          ...PostFields\n        }\n      }\n    }\n  }\n": types.ThreadDocument,
    "\n  fragment ActionFields on Action {\n    id\n    kind\n    network\n    postId\n    status\n    error\n    resultWebUrl\n    createdAt\n  }\n": types.ActionFieldsFragmentDoc,
    "\n  query RecentActions {\n    actions(first: 100) {\n      ...ActionFields\n    }\n  }\n": types.RecentActionsDocument,
    "\n  subscription ActionUpdated {\n    actionUpdated {\n      ...ActionFields\n    }\n  }\n": types.ActionUpdatedDocument,
    "\n  mutation Like($post: ID!) {\n    like(post: $post) {\n      ...ActionFields\n    }\n  }\n": types.LikeDocument,
    "\n  mutation Unlike($post: ID!) {\n    unlike(post: $post) {\n      ...ActionFields\n    }\n  }\n": types.UnlikeDocument,
    "\n  mutation Repost($post: ID!) {\n    repost(post: $post) {\n      ...ActionFields\n    }\n  }\n": types.RepostDocument,
    "\n  mutation Unrepost($post: ID!) {\n    unrepost(post: $post) {\n      ...ActionFields\n    }\n  }\n": types.UnrepostDocument,
    "\n  mutation Reply($post: ID!, $text: String!, $contentWarning: String) {\n    reply(post: $post, text: $text, contentWarning: $contentWarning) {\n      ...ActionFields\n    }\n  }\n": types.ReplyDocument,
    "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...ActionFields\n    }\n  }\n": types.CreatePostDocument,
    "\n  fragment PipelineFields on Pipeline {\n    id\n    name\n    isDefault\n    version\n    spec\n    updatedAt\n    rebuild {\n      state\n      done\n      total\n      error\n    }\n  }\n": types.PipelineFieldsFragmentDoc,
    "\n  query Pipelines {\n    pipelines {\n      ...PipelineFields\n    }\n  }\n": types.PipelinesDocument,
    "\n  query PipelineWithVersions($id: ID!) {\n    pipeline(id: $id) {\n      ...PipelineFields\n      versions {\n        version\n        createdAt\n        spec\n      }\n    }\n    plugins {\n      id\n      use\n      name\n      version\n      kind\n      configSchema\n    }\n  }\n": types.PipelineWithVersionsDocument,
    "\n  query ValidatePipeline($spec: JSON!) {\n    validatePipeline(spec: $spec) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n": types.ValidatePipelineDocument,
    "\n  query PreviewPipeline($spec: JSON!, $limit: Int!) {\n    previewPipeline(spec: $spec, limit: $limit) {\n      hidden\n      hiddenReason\n      warnings\n      blurs\n      rankKey\n      decisions {\n        ...DecisionFields\n      }\n      post {\n        id\n        text\n        contentWarning\n        createdAt\n        author {\n          handle\n          displayName\n        }\n      }\n    }\n  }\n": types.PreviewPipelineDocument,
    "\n  mutation CreatePipeline($name: String!, $spec: JSON!) {\n    createPipeline(name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n": types.CreatePipelineDocument,
    "\n  mutation UpdatePipeline($id: ID!, $name: String, $spec: JSON) {\n    updatePipeline(id: $id, name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n": types.UpdatePipelineDocument,
    "\n  mutation SetDefaultPipeline($id: ID!) {\n    setDefaultPipeline(id: $id) {\n      id\n    }\n  }\n": types.SetDefaultPipelineDocument,
    "\n  mutation DeletePipeline($id: ID!, $newDefault: ID) {\n    deletePipeline(id: $id, newDefault: $newDefault)\n  }\n": types.DeletePipelineDocument,
    "\n  query Invites {\n    invites {\n      id\n      role\n      createdAt\n      expiresAt\n      usedAt\n    }\n  }\n": types.InvitesDocument,
    "\n  fragment MemberFields on Member {\n    id\n    username\n    role\n    status\n    suspendedAt\n    createdAt\n    lastActiveAt\n    linkedAccounts\n    pipelines\n    syncHealth {\n      sourceId\n      accountId\n      network\n      handle\n      accountStatus\n      kind\n      externalId\n      backfillState\n      lastSyncedAt\n      stale\n      reason\n    }\n  }\n": types.MemberFieldsFragmentDoc,
    "\n  query Members {\n    members {\n      ...MemberFields\n    }\n  }\n": types.MembersDocument,
    "\n  mutation SuspendMember($member: ID!, $suspended: Boolean!) {\n    suspendMember(member: $member, suspended: $suspended) {\n      ...MemberFields\n    }\n  }\n": types.SuspendMemberDocument,
    "\n  mutation DeleteMember($member: ID!) {\n    deleteMember(member: $member)\n  }\n": types.DeleteMemberDocument,
    "\n  mutation CreateInvite($role: UserRole!) {\n    createInvite(role: $role) {\n      code\n      invite {\n        id\n      }\n    }\n  }\n": types.CreateInviteDocument,
    "\n  fragment PluginFields on Plugin {\n    id\n    use\n    name\n    version\n    kind\n    packageName\n    configSchema\n    createdAt\n  }\n": types.PluginFieldsFragmentDoc,
    "\n  query Plugins {\n    plugins {\n      ...PluginFields\n    }\n  }\n": types.PluginsDocument,
    "\n  mutation UploadPlugin($code: String!) {\n    uploadPlugin(code: $code) {\n      ...PluginFields\n    }\n  }\n": types.UploadPluginDocument,
    "\n  mutation DeletePlugin($id: ID!) {\n    deletePlugin(id: $id)\n  }\n": types.DeletePluginDocument,
    "\n  query NotificationGroups($after: String) {\n    notificationGroups(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          key\n          kind\n          count\n          latestAt\n          latestId\n          read\n          actors {\n            ...AuthorFields\n          }\n          post {\n            id\n            text\n            network\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n": types.NotificationGroupsDocument,
    "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n": types.UnreadNotificationCountDocument,
    "\n  mutation MarkNotificationsRead($upTo: ID!) {\n    markNotificationsRead(upTo: $upTo)\n  }\n": types.MarkNotificationsReadDocument,
    "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n    }\n  }\n": types.NotificationReceivedDocument,
    "\n  fragment ProfileFields on Profile {\n    network\n    networkId\n    handle\n    displayName\n    bio\n    avatarUrl\n    bannerUrl\n    bot\n    followersCount\n    followingCount\n    postsCount\n    webUrl\n    linkedAccountId\n    relationship {\n      following\n      followedBy\n      muted\n      blocked\n      blockedBy\n    }\n  }\n": types.ProfileFieldsFragmentDoc,
    "\n  query AuthorProfile($id: String, $handle: String) {\n    author(id: $id, handle: $handle) {\n      ...ProfileFields\n    }\n  }\n": types.AuthorProfileDocument,
    "\n  query AuthorPosts($author: String!, $account: ID, $after: String) {\n    authorPosts(author: $author, account: $account, after: $after, first: 20) {\n      items {\n        repost\n        post {\n          ...PostFields\n        }\n      }\n      nextCursor\n    }\n  }\n": types.AuthorPostsDocument,
    "\n  mutation Follow($author: String!, $account: ID) {\n    follow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": types.FollowDocument,
    "\n  mutation Unfollow($author: String!, $account: ID) {\n    unfollow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": types.UnfollowDocument,
    "\n  mutation Mute($author: String!, $account: ID) {\n    mute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": types.MuteDocument,
    "\n  mutation Unmute($author: String!, $account: ID) {\n    unmute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n": types.UnmuteDocument,
    "\n  query ActionById($id: ID!) {\n    action(id: $id) {\n      ...ActionFields\n    }\n  }\n": types.ActionByIdDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AuthorFields on Author {\n    handle\n    displayName\n    avatarUrl\n    network\n    networkId\n    bot\n  }\n"): typeof import('./graphql').AuthorFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MediaFields on Media {\n    type\n    url\n    previewUrl\n    altText\n    width\n    height\n  }\n"): typeof import('./graphql').MediaFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PostFields on Post {\n    id\n    uri\n    network\n    text\n    webUrl\n    createdAt\n    contentWarning\n    sensitive\n    languages\n    author {\n      ...AuthorFields\n    }\n    counts {\n      replies\n      reposts\n      likes\n      quotes\n    }\n    richText {\n      type\n      text\n      url\n      tag\n      handle\n      networkId\n    }\n    media {\n      ...MediaFields\n    }\n    linkCard {\n      url\n      title\n      description\n      imageUrl\n    }\n    replyParent {\n      uri\n      authorNetworkId\n      authorHandle\n      text\n    }\n    quote {\n      uri\n      text\n      webUrl\n      createdAt\n      contentWarning\n      author {\n        ...AuthorFields\n      }\n      media {\n        ...MediaFields\n      }\n      linkCard {\n        url\n        title\n        description\n        imageUrl\n      }\n    }\n    quoteUnavailable {\n      reason\n    }\n    poll {\n      options {\n        title\n        votes\n      }\n      votes\n      expired\n    }\n  }\n"): typeof import('./graphql').PostFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment DecisionFields on Decision {\n    stage\n    index\n    verdict\n    reason\n    score\n  }\n"): typeof import('./graphql').DecisionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ItemFields on TimelineItem {\n    id\n    pipelineId\n    hidden\n    hiddenReason\n    warnings\n    reason {\n      at\n      by {\n        ...AuthorFields\n      }\n    }\n    seenIn {\n      network\n    }\n    decisions {\n      ...DecisionFields\n    }\n    post {\n      ...PostFields\n    }\n  }\n"): typeof import('./graphql').ItemFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($username: String!, $password: String!) {\n    login(username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n"): typeof import('./graphql').LoginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SignUp($invite: String!, $username: String!, $password: String!) {\n    signUp(invite: $invite, username: $username, password: $password, tokenName: \"web app\") {\n      token\n    }\n  }\n"): typeof import('./graphql').SignUpDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      id\n      username\n      role\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment AccountFields on LinkedAccount {\n    id\n    network\n    handle\n    serviceUrl\n    status\n    statusReason\n    statusChangedAt\n    freshness\n    lastSyncedAt\n    stream {\n      live\n      lagSeconds\n      lastError\n    }\n    sources {\n      id\n      kind\n      displayName\n      externalId\n      lastError\n      backfill {\n        state\n        done\n        target\n      }\n    }\n  }\n"): typeof import('./graphql').AccountFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LinkedAccounts {\n    linkedAccounts {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').LinkedAccountsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LinkBluesky($identifier: String!, $appPassword: String!, $service: String) {\n    linkBlueskyAccount(identifier: $identifier, appPassword: $appPassword, service: $service) {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').LinkBlueskyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartBlueskyLink($identifier: String!) {\n    startBlueskyLink(identifier: $identifier) {\n      authorizeUrl\n    }\n  }\n"): typeof import('./graphql').StartBlueskyLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteBlueskyLink($callback: String!) {\n    completeBlueskyLink(callback: $callback) {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').CompleteBlueskyLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation LinkMastodonToken($instance: String!, $accessToken: String!) {\n    linkMastodonAccount(instance: $instance, accessToken: $accessToken) {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').LinkMastodonTokenDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartMastodonLink($instance: String!) {\n    startMastodonLink(instance: $instance) {\n      authorizeUrl\n      state\n    }\n  }\n"): typeof import('./graphql').StartMastodonLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CompleteMastodonLink($code: String!, $state: String!) {\n    completeMastodonLink(code: $code, state: $state) {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').CompleteMastodonLinkDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UnlinkAccount($id: ID!) {\n    unlinkAccount(id: $id)\n  }\n"): typeof import('./graphql').UnlinkAccountDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AccountStatusChanged {\n    accountStatusChanged {\n      ...AccountFields\n    }\n  }\n"): typeof import('./graphql').AccountStatusChangedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Timeline($pipeline: ID, $after: String, $includeHidden: Boolean!, $first: Int!) {\n    timeline(pipeline: $pipeline, after: $after, includeHidden: $includeHidden, first: $first) {\n      edges {\n        cursor\n        node {\n          ...ItemFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n"): typeof import('./graphql').TimelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription TimelineUpdated($pipeline: ID) {\n    timelineUpdated(pipeline: $pipeline) {\n      pipelineId\n      rebuilt\n      items {\n        ...ItemFields\n      }\n    }\n  }\n"): typeof import('./graphql').TimelineUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Thread($id: ID!) {\n    thread(id: $id) {\n      stale\n      staleReason\n      ancestors {\n        ...PostFields\n      }\n      post {\n        ...PostFields\n      }\n      replies {\n        depth\n        parentId\n        post {\n          ...PostFields\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').ThreadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ActionFields on Action {\n    id\n    kind\n    network\n    postId\n    status\n    error\n    resultWebUrl\n    createdAt\n  }\n"): typeof import('./graphql').ActionFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RecentActions {\n    actions(first: 100) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').RecentActionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription ActionUpdated {\n    actionUpdated {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').ActionUpdatedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Like($post: ID!) {\n    like(post: $post) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').LikeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unlike($post: ID!) {\n    unlike(post: $post) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').UnlikeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Repost($post: ID!) {\n    repost(post: $post) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').RepostDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unrepost($post: ID!) {\n    unrepost(post: $post) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').UnrepostDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Reply($post: ID!, $text: String!, $contentWarning: String) {\n    reply(post: $post, text: $text, contentWarning: $contentWarning) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').ReplyDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePost($input: CreatePostInput!) {\n    createPost(input: $input) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').CreatePostDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PipelineFields on Pipeline {\n    id\n    name\n    isDefault\n    version\n    spec\n    updatedAt\n    rebuild {\n      state\n      done\n      total\n      error\n    }\n  }\n"): typeof import('./graphql').PipelineFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pipelines {\n    pipelines {\n      ...PipelineFields\n    }\n  }\n"): typeof import('./graphql').PipelinesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PipelineWithVersions($id: ID!) {\n    pipeline(id: $id) {\n      ...PipelineFields\n      versions {\n        version\n        createdAt\n        spec\n      }\n    }\n    plugins {\n      id\n      use\n      name\n      version\n      kind\n      configSchema\n    }\n  }\n"): typeof import('./graphql').PipelineWithVersionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ValidatePipeline($spec: JSON!) {\n    validatePipeline(spec: $spec) {\n      valid\n      errors {\n        path\n        message\n      }\n    }\n  }\n"): typeof import('./graphql').ValidatePipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviewPipeline($spec: JSON!, $limit: Int!) {\n    previewPipeline(spec: $spec, limit: $limit) {\n      hidden\n      hiddenReason\n      warnings\n      blurs\n      rankKey\n      decisions {\n        ...DecisionFields\n      }\n      post {\n        id\n        text\n        contentWarning\n        createdAt\n        author {\n          handle\n          displayName\n        }\n      }\n    }\n  }\n"): typeof import('./graphql').PreviewPipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreatePipeline($name: String!, $spec: JSON!) {\n    createPipeline(name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n"): typeof import('./graphql').CreatePipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdatePipeline($id: ID!, $name: String, $spec: JSON) {\n    updatePipeline(id: $id, name: $name, spec: $spec) {\n      ...PipelineFields\n    }\n  }\n"): typeof import('./graphql').UpdatePipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetDefaultPipeline($id: ID!) {\n    setDefaultPipeline(id: $id) {\n      id\n    }\n  }\n"): typeof import('./graphql').SetDefaultPipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePipeline($id: ID!, $newDefault: ID) {\n    deletePipeline(id: $id, newDefault: $newDefault)\n  }\n"): typeof import('./graphql').DeletePipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Invites {\n    invites {\n      id\n      role\n      createdAt\n      expiresAt\n      usedAt\n    }\n  }\n"): typeof import('./graphql').InvitesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment MemberFields on Member {\n    id\n    username\n    role\n    status\n    suspendedAt\n    createdAt\n    lastActiveAt\n    linkedAccounts\n    pipelines\n    syncHealth {\n      sourceId\n      accountId\n      network\n      handle\n      accountStatus\n      kind\n      externalId\n      backfillState\n      lastSyncedAt\n      stale\n      reason\n    }\n  }\n"): typeof import('./graphql').MemberFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Members {\n    members {\n      ...MemberFields\n    }\n  }\n"): typeof import('./graphql').MembersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SuspendMember($member: ID!, $suspended: Boolean!) {\n    suspendMember(member: $member, suspended: $suspended) {\n      ...MemberFields\n    }\n  }\n"): typeof import('./graphql').SuspendMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeleteMember($member: ID!) {\n    deleteMember(member: $member)\n  }\n"): typeof import('./graphql').DeleteMemberDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateInvite($role: UserRole!) {\n    createInvite(role: $role) {\n      code\n      invite {\n        id\n      }\n    }\n  }\n"): typeof import('./graphql').CreateInviteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment PluginFields on Plugin {\n    id\n    use\n    name\n    version\n    kind\n    packageName\n    configSchema\n    createdAt\n  }\n"): typeof import('./graphql').PluginFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Plugins {\n    plugins {\n      ...PluginFields\n    }\n  }\n"): typeof import('./graphql').PluginsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UploadPlugin($code: String!) {\n    uploadPlugin(code: $code) {\n      ...PluginFields\n    }\n  }\n"): typeof import('./graphql').UploadPluginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation DeletePlugin($id: ID!) {\n    deletePlugin(id: $id)\n  }\n"): typeof import('./graphql').DeletePluginDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query NotificationGroups($after: String) {\n    notificationGroups(first: 20, after: $after) {\n      edges {\n        cursor\n        node {\n          key\n          kind\n          count\n          latestAt\n          latestId\n          read\n          actors {\n            ...AuthorFields\n          }\n          post {\n            id\n            text\n            network\n          }\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n    unreadNotificationCount\n  }\n"): typeof import('./graphql').NotificationGroupsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query UnreadNotificationCount {\n    unreadNotificationCount\n  }\n"): typeof import('./graphql').UnreadNotificationCountDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation MarkNotificationsRead($upTo: ID!) {\n    markNotificationsRead(upTo: $upTo)\n  }\n"): typeof import('./graphql').MarkNotificationsReadDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NotificationReceived {\n    notificationReceived {\n      id\n    }\n  }\n"): typeof import('./graphql').NotificationReceivedDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ProfileFields on Profile {\n    network\n    networkId\n    handle\n    displayName\n    bio\n    avatarUrl\n    bannerUrl\n    bot\n    followersCount\n    followingCount\n    postsCount\n    webUrl\n    linkedAccountId\n    relationship {\n      following\n      followedBy\n      muted\n      blocked\n      blockedBy\n    }\n  }\n"): typeof import('./graphql').ProfileFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthorProfile($id: String, $handle: String) {\n    author(id: $id, handle: $handle) {\n      ...ProfileFields\n    }\n  }\n"): typeof import('./graphql').AuthorProfileDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query AuthorPosts($author: String!, $account: ID, $after: String) {\n    authorPosts(author: $author, account: $account, after: $after, first: 20) {\n      items {\n        repost\n        post {\n          ...PostFields\n        }\n      }\n      nextCursor\n    }\n  }\n"): typeof import('./graphql').AuthorPostsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Follow($author: String!, $account: ID) {\n    follow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').FollowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unfollow($author: String!, $account: ID) {\n    unfollow(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').UnfollowDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Mute($author: String!, $account: ID) {\n    mute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').MuteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Unmute($author: String!, $account: ID) {\n    unmute(author: $author, account: $account) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').UnmuteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ActionById($id: ID!) {\n    action(id: $id) {\n      ...ActionFields\n    }\n  }\n"): typeof import('./graphql').ActionByIdDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
