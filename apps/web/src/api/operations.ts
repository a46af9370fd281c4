// Every GraphQL operation the app sends. `graphql()` is typed by codegen from the committed schema
// (apps/api/schema.graphql): regenerate with `npx graphql-codegen --config apps/web/codegen.ts`.
import { graphql } from '../gql';

export const AuthorFields = graphql(`
  fragment AuthorFields on Author {
    handle
    displayName
    avatarUrl
    network
    networkId
    bot
  }
`);

export const MediaFields = graphql(`
  fragment MediaFields on Media {
    type
    url
    previewUrl
    altText
    width
    height
  }
`);

export const PostFields = graphql(`
  fragment PostFields on Post {
    id
    uri
    network
    text
    webUrl
    createdAt
    contentWarning
    sensitive
    languages
    author {
      ...AuthorFields
    }
    counts {
      replies
      reposts
      likes
      quotes
    }
    richText {
      type
      text
      url
      tag
      handle
      networkId
    }
    media {
      ...MediaFields
    }
    linkCard {
      url
      title
      description
      imageUrl
    }
    replyParent {
      uri
      authorNetworkId
      authorHandle
      text
    }
    quote {
      uri
      text
      webUrl
      createdAt
      contentWarning
      author {
        ...AuthorFields
      }
      media {
        ...MediaFields
      }
      linkCard {
        url
        title
        description
        imageUrl
      }
    }
    quoteUnavailable {
      reason
    }
    poll {
      options {
        title
        votes
      }
      votes
      expired
    }
  }
`);

export const DecisionFields = graphql(`
  fragment DecisionFields on Decision {
    stage
    index
    verdict
    reason
    score
  }
`);

export const ItemFields = graphql(`
  fragment ItemFields on TimelineItem {
    id
    pipelineId
    hidden
    hiddenReason
    warnings
    reason {
      at
      by {
        ...AuthorFields
      }
    }
    seenIn {
      network
    }
    decisions {
      ...DecisionFields
    }
    post {
      ...PostFields
    }
  }
`);

export const Login = graphql(`
  mutation Login($username: String!, $password: String!) {
    login(username: $username, password: $password, tokenName: "web app") {
      token
    }
  }
`);

export const SignUp = graphql(`
  mutation SignUp($invite: String!, $username: String!, $password: String!) {
    signUp(invite: $invite, username: $username, password: $password, tokenName: "web app") {
      token
    }
  }
`);

export const Me = graphql(`
  query Me {
    me {
      id
      username
      role
    }
  }
`);

export const AccountFields = graphql(`
  fragment AccountFields on LinkedAccount {
    id
    network
    handle
    serviceUrl
    status
    statusReason
    statusChangedAt
    freshness
    lastSyncedAt
    stream {
      live
      lagSeconds
      lastError
    }
    sources {
      id
      kind
      displayName
      externalId
      lastError
      backfill {
        state
        done
        target
      }
    }
  }
`);

export const LinkedAccounts = graphql(`
  query LinkedAccounts {
    linkedAccounts {
      ...AccountFields
    }
  }
`);

export const LinkBluesky = graphql(`
  mutation LinkBluesky($identifier: String!, $appPassword: String!, $service: String) {
    linkBlueskyAccount(identifier: $identifier, appPassword: $appPassword, service: $service) {
      ...AccountFields
    }
  }
`);

export const StartBlueskyLink = graphql(`
  mutation StartBlueskyLink($identifier: String!) {
    startBlueskyLink(identifier: $identifier) {
      authorizeUrl
    }
  }
`);

export const CompleteBlueskyLink = graphql(`
  mutation CompleteBlueskyLink($callback: String!) {
    completeBlueskyLink(callback: $callback) {
      ...AccountFields
    }
  }
`);

export const LinkMastodonToken = graphql(`
  mutation LinkMastodonToken($instance: String!, $accessToken: String!) {
    linkMastodonAccount(instance: $instance, accessToken: $accessToken) {
      ...AccountFields
    }
  }
`);

export const StartMastodonLink = graphql(`
  mutation StartMastodonLink($instance: String!) {
    startMastodonLink(instance: $instance) {
      authorizeUrl
      state
    }
  }
`);

export const CompleteMastodonLink = graphql(`
  mutation CompleteMastodonLink($code: String!, $state: String!) {
    completeMastodonLink(code: $code, state: $state) {
      ...AccountFields
    }
  }
`);

export const UnlinkAccount = graphql(`
  mutation UnlinkAccount($id: ID!) {
    unlinkAccount(id: $id)
  }
`);

export const AccountStatusChanged = graphql(`
  subscription AccountStatusChanged {
    accountStatusChanged {
      ...AccountFields
    }
  }
`);

export const Timeline = graphql(`
  query Timeline($pipeline: ID, $after: String, $includeHidden: Boolean!, $first: Int!) {
    timeline(pipeline: $pipeline, after: $after, includeHidden: $includeHidden, first: $first) {
      edges {
        cursor
        node {
          ...ItemFields
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`);

export const TimelineUpdated = graphql(`
  subscription TimelineUpdated($pipeline: ID) {
    timelineUpdated(pipeline: $pipeline) {
      pipelineId
      rebuilt
      items {
        ...ItemFields
      }
    }
  }
`);

export const Thread = graphql(`
  query Thread($id: ID!) {
    thread(id: $id) {
      stale
      staleReason
      ancestors {
        ...PostFields
      }
      post {
        ...PostFields
      }
      replies {
        depth
        parentId
        post {
          ...PostFields
        }
      }
    }
  }
`);

export const ActionFields = graphql(`
  fragment ActionFields on Action {
    id
    kind
    network
    postId
    status
    error
    resultWebUrl
    createdAt
  }
`);

export const RecentActions = graphql(`
  query RecentActions {
    actions(first: 100) {
      ...ActionFields
    }
  }
`);

export const ActionUpdated = graphql(`
  subscription ActionUpdated {
    actionUpdated {
      ...ActionFields
    }
  }
`);

export const Like = graphql(`
  mutation Like($post: ID!) {
    like(post: $post) {
      ...ActionFields
    }
  }
`);

export const Unlike = graphql(`
  mutation Unlike($post: ID!) {
    unlike(post: $post) {
      ...ActionFields
    }
  }
`);

export const Repost = graphql(`
  mutation Repost($post: ID!) {
    repost(post: $post) {
      ...ActionFields
    }
  }
`);

export const Unrepost = graphql(`
  mutation Unrepost($post: ID!) {
    unrepost(post: $post) {
      ...ActionFields
    }
  }
`);

export const Reply = graphql(`
  mutation Reply($post: ID!, $text: String!, $contentWarning: String) {
    reply(post: $post, text: $text, contentWarning: $contentWarning) {
      ...ActionFields
    }
  }
`);

export const CreatePost = graphql(`
  mutation CreatePost($input: CreatePostInput!) {
    createPost(input: $input) {
      ...ActionFields
    }
  }
`);

export const PipelineFields = graphql(`
  fragment PipelineFields on Pipeline {
    id
    name
    isDefault
    version
    spec
    updatedAt
    rebuild {
      state
      done
      total
      error
    }
  }
`);

export const Pipelines = graphql(`
  query Pipelines {
    pipelines {
      ...PipelineFields
    }
  }
`);

export const PipelineWithVersions = graphql(`
  query PipelineWithVersions($id: ID!) {
    pipeline(id: $id) {
      ...PipelineFields
      versions {
        version
        createdAt
        spec
      }
    }
    plugins {
      id
      use
      name
      version
      kind
      configSchema
    }
  }
`);

export const ValidatePipeline = graphql(`
  query ValidatePipeline($spec: JSON!) {
    validatePipeline(spec: $spec) {
      valid
      errors {
        path
        message
      }
    }
  }
`);

export const PreviewPipeline = graphql(`
  query PreviewPipeline($spec: JSON!, $limit: Int!) {
    previewPipeline(spec: $spec, limit: $limit) {
      hidden
      hiddenReason
      warnings
      blurs
      rankKey
      decisions {
        ...DecisionFields
      }
      post {
        id
        text
        contentWarning
        createdAt
        author {
          handle
          displayName
        }
      }
    }
  }
`);

export const CreatePipeline = graphql(`
  mutation CreatePipeline($name: String!, $spec: JSON!) {
    createPipeline(name: $name, spec: $spec) {
      ...PipelineFields
    }
  }
`);

export const UpdatePipeline = graphql(`
  mutation UpdatePipeline($id: ID!, $name: String, $spec: JSON) {
    updatePipeline(id: $id, name: $name, spec: $spec) {
      ...PipelineFields
    }
  }
`);

export const SetDefaultPipeline = graphql(`
  mutation SetDefaultPipeline($id: ID!) {
    setDefaultPipeline(id: $id) {
      id
    }
  }
`);

export const DeletePipeline = graphql(`
  mutation DeletePipeline($id: ID!, $newDefault: ID) {
    deletePipeline(id: $id, newDefault: $newDefault)
  }
`);

export const Invites = graphql(`
  query Invites {
    invites {
      id
      role
      createdAt
      expiresAt
      usedAt
    }
  }
`);

export const MemberFields = graphql(`
  fragment MemberFields on Member {
    id
    username
    role
    status
    suspendedAt
    createdAt
    lastActiveAt
    linkedAccounts
    pipelines
    syncHealth {
      sourceId
      accountId
      network
      handle
      accountStatus
      kind
      externalId
      backfillState
      lastSyncedAt
      stale
      reason
    }
  }
`);

export const Members = graphql(`
  query Members {
    members {
      ...MemberFields
    }
  }
`);

export const SuspendMember = graphql(`
  mutation SuspendMember($member: ID!, $suspended: Boolean!) {
    suspendMember(member: $member, suspended: $suspended) {
      ...MemberFields
    }
  }
`);

export const DeleteMember = graphql(`
  mutation DeleteMember($member: ID!) {
    deleteMember(member: $member)
  }
`);

export const CreateInvite = graphql(`
  mutation CreateInvite($role: UserRole!) {
    createInvite(role: $role) {
      code
      invite {
        id
      }
    }
  }
`);

export const PluginFields = graphql(`
  fragment PluginFields on Plugin {
    id
    use
    name
    version
    kind
    packageName
    configSchema
    createdAt
  }
`);

export const Plugins = graphql(`
  query Plugins {
    plugins {
      ...PluginFields
    }
  }
`);

export const UploadPlugin = graphql(`
  mutation UploadPlugin($code: String!) {
    uploadPlugin(code: $code) {
      ...PluginFields
    }
  }
`);

export const DeletePlugin = graphql(`
  mutation DeletePlugin($id: ID!) {
    deletePlugin(id: $id)
  }
`);

export const NotificationGroups = graphql(`
  query NotificationGroups($after: String) {
    notificationGroups(first: 20, after: $after) {
      edges {
        cursor
        node {
          key
          kind
          count
          latestAt
          latestId
          read
          actors {
            ...AuthorFields
          }
          post {
            id
            text
            network
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
    unreadNotificationCount
  }
`);

export const UnreadNotificationCount = graphql(`
  query UnreadNotificationCount {
    unreadNotificationCount
  }
`);

export const MarkNotificationsRead = graphql(`
  mutation MarkNotificationsRead($upTo: ID!) {
    markNotificationsRead(upTo: $upTo)
  }
`);

export const NotificationReceived = graphql(`
  subscription NotificationReceived {
    notificationReceived {
      id
    }
  }
`);

export const ProfileFields = graphql(`
  fragment ProfileFields on Profile {
    network
    networkId
    handle
    displayName
    bio
    avatarUrl
    bannerUrl
    bot
    followersCount
    followingCount
    postsCount
    webUrl
    linkedAccountId
    relationship {
      following
      followedBy
      muted
      blocked
      blockedBy
    }
  }
`);

export const AuthorProfile = graphql(`
  query AuthorProfile($id: String, $handle: String) {
    author(id: $id, handle: $handle) {
      ...ProfileFields
    }
  }
`);

export const AuthorPosts = graphql(`
  query AuthorPosts($author: String!, $account: ID, $after: String) {
    authorPosts(author: $author, account: $account, after: $after, first: 20) {
      items {
        repost
        post {
          ...PostFields
        }
      }
      nextCursor
    }
  }
`);

export const Follow = graphql(`
  mutation Follow($author: String!, $account: ID) {
    follow(author: $author, account: $account) {
      ...ActionFields
    }
  }
`);

export const Unfollow = graphql(`
  mutation Unfollow($author: String!, $account: ID) {
    unfollow(author: $author, account: $account) {
      ...ActionFields
    }
  }
`);

export const Mute = graphql(`
  mutation Mute($author: String!, $account: ID) {
    mute(author: $author, account: $account) {
      ...ActionFields
    }
  }
`);

export const Unmute = graphql(`
  mutation Unmute($author: String!, $account: ID) {
    unmute(author: $author, account: $account) {
      ...ActionFields
    }
  }
`);

export const ActionById = graphql(`
  query ActionById($id: ID!) {
    action(id: $id) {
      ...ActionFields
    }
  }
`);
