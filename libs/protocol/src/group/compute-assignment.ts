import type { AssignorName } from '../wire/group-messages';
import type { AssignmentPlan, AssignorInput } from './assignor';
import { stickyAssign, withholdMoving } from './cooperative-sticky-assignor';
import { rangeAssign } from './range-assignor';
import { roundRobinAssign } from './round-robin-assignor';

export type { AssignmentPlan, AssignorInput, AssignorMember } from './assignor';

/** Runs the named strategy; cooperative-sticky returns its first-phase plan (moving partitions withheld). */
export function computeAssignment(name: AssignorName, input: AssignorInput): AssignmentPlan {
  switch (name) {
    case 'range':
      return rangeAssign(input);
    case 'roundrobin':
      return roundRobinAssign(input);
    case 'cooperative-sticky':
      return withholdMoving(stickyAssign(input), input).plan;
  }
}

export { rangeAssign, roundRobinAssign, stickyAssign, withholdMoving };
