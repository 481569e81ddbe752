import { Field, InputType } from 'type-graphql';
import { ConsentSource, HistoryChoice } from '../consent/consent.enums';

/** A reading-history choice, with where it was made and the wording shown. */
@InputType({
  description: 'How long activity stays linked to the customer, and where they chose it.',
})
export class HistoryChoiceInput {
  @Field(() => HistoryChoice, {
    description:
      'KEEP: kept, and used for suggestions (gives HISTORY_RETENTION). DEFAULT: detached after ' +
      'the retention period. NEVER: detached as soon as each loan ends. DEFAULT and NEVER ' +
      'withdraw HISTORY_RETENTION.',
  })
  choice: HistoryChoice;

  @Field(() => ConsentSource)
  source: ConsentSource;

  @Field({ description: 'Version of the wording the customer was shown (1 to 50 characters).' })
  wordingVersion: string;
}
