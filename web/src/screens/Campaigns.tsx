import type { Session } from '../lib/session';
export function CampaignsScreen(_: { session: Session; campaignId?: string }) {
  return null;
}
