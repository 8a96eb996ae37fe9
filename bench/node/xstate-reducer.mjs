// The same fold (v3) built on XState: each operation is an actor whose machine
// holds the operation's joins in its context; a notification is a NOTIFY
// event whose action folds it in; the operation's view, and the joins the
// card derives its phase and alerts from, are read from the actor's snapshot.
import { assign, createActor, createMachine } from 'xstate';
import { OperationState, PlainTracker } from './plain-reducer.mjs';

const operationMachine = createMachine({
  id: 'operation',
  context: () => ({ state: new OperationState(), added: false }),
  on: {
    NOTIFY: {
      actions: assign(({ context, event }) => ({ state: context.state, added: context.state.add(event.n) })),
    },
  },
});

class ActorOperation {
  constructor() {
    this.actor = createActor(operationMachine).start();
  }

  add(n) {
    this.actor.send({ type: 'NOTIFY', n });
    return this.actor.getSnapshot().context.added;
  }

  /** The operation's joins, read from the actor's snapshot (the card derives its phase from them). */
  joins() {
    return this.actor.getSnapshot().context.state;
  }

  view(conflict) {
    return this.actor.getSnapshot().context.state.view(conflict);
  }
}

export const makeXStateTracker = () => new PlainTracker(() => new ActorOperation());
