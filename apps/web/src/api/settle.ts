// The worker performs actions after the mutation answered PENDING: this waits for the outcome the
// live subscription reports, asking once more directly in case it came before the subscription.
import type { ActionFieldsFragment } from '../gql/graphql';
import { request } from './client';
import { subscribe } from './live';
import { ActionById, ActionUpdated } from './operations';

/** How often the action is asked for directly while no live report came (a lost socket). */
const POLL_MS = 2000;

export function settled(action: ActionFieldsFragment): Promise<ActionFieldsFragment> {
  if (action.status !== 'PENDING') return Promise.resolve(action);
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stop = () => {};
    let over = false;
    const finish = (outcome: ActionFieldsFragment) => {
      if (over || outcome.status === 'PENDING') return over;
      over = true;
      clearTimeout(timer);
      stop();
      resolve(outcome);
      return true;
    };
    stop = subscribe(ActionUpdated, {}, ({ actionUpdated }) => {
      if (actionUpdated.id === action.id) finish(actionUpdated);
    });
    const poll = () =>
      void request(ActionById, { id: action.id })
        .then(({ action: current }) => (current ? finish(current) : false))
        .catch(() => false)
        .then((done) => {
          if (!done) timer = setTimeout(poll, POLL_MS);
        });
    poll();
  });
}
