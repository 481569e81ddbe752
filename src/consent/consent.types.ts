import { Field, InputType, ObjectType } from 'type-graphql';
import { ConsentChannel, ConsentPurpose, ConsentSource } from './consent.enums';
import type { CurrentConsent } from './consent.rules';

/** Where a customer stands on one purpose (and channel), from the latest ledger row. */
@ObjectType({
  description:
    'Where a customer stands on one purpose (and channel). Every purpose is listed, and ' +
    'SERVICE_MESSAGES and MARKETING once per channel; one never recorded is not granted and ' +
    'has no since, source or wordingVersion.',
})
export class ConsentState implements CurrentConsent {
  @Field(() => ConsentPurpose)
  purpose: ConsentPurpose;

  @Field(() => ConsentChannel, {
    nullable: true,
    description: 'Null for purposes without a channel.',
  })
  channel: ConsentChannel | null;

  @Field()
  granted: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was last given or withdrawn.' })
  since: Date | null;

  @Field(() => ConsentSource, { nullable: true })
  source: ConsentSource | null;

  @Field(() => String, { nullable: true, description: 'Version of the wording last shown.' })
  wordingVersion: string | null;
}

/** A consent to give or withdraw; whether it is given follows from the mutation used. */
@InputType({ description: 'A consent to give or withdraw.' })
export class ConsentChangeInput {
  @Field(() => ConsentPurpose)
  purpose: ConsentPurpose;

  @Field(() => ConsentChannel, {
    nullable: true,
    description: 'Required for SERVICE_MESSAGES and MARKETING; must be left out otherwise.',
  })
  channel?: ConsentChannel | null;

  @Field(() => ConsentSource, { description: 'Where the customer gave or withdrew it.' })
  source: ConsentSource;

  @Field({ description: 'Version of the wording the customer was shown (1 to 50 characters).' })
  wordingVersion: string;
}
